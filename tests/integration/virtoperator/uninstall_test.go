package virtoperator

import (
	"errors"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func checkBlockedUninstall(t *testing.T, c clients, vmNS string) {
	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) { kv.Spec.UninstallStrategy = "BlockUninstallIfWorkloadsExist" })
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "running", Namespace: vmNS}}
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmNS).Create(bg, vmi, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create vmi: %v", err)
	}
	if err := c.kvirt.KubevirtV1().KubeVirts(ns).Delete(bg, "kubevirt", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "uninstall blocked by the VMI", func() error {
		kv, err := getKV(c, "kubevirt")
		if err != nil {
			return err
		}
		if kv.Status.Phase != virtv1.KubeVirtPhaseDeleting {
			return fmt.Errorf("phase %q", kv.Status.Phase)
		}
		return conditionIs(kv, virtv1.KubeVirtConditionDegraded, corev1.ConditionTrue, "DeletionBlockedByWorkloads")
	})
	if _, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-api", metav1.GetOptions{}); err != nil {
		t.Errorf("virt-api removed while the uninstall is blocked: %v", err)
	}
	if err := c.kvirt.KubevirtV1().VirtualMachineInstances(vmNS).Delete(bg, vmi.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func checkUninstalled(t *testing.T, c clients, vmNS string) {
	start := time.Now()
	eventually(t, 30*time.Second, "KubeVirt gone", func() error {
		return gone("kubevirt", func() error { _, err := getKV(c, "kubevirt"); return err })
	})
	t.Logf("figure: last VMI deleted -> uninstall finished, finalizer released: %s", time.Since(start).Round(time.Millisecond))
	checks := map[string]func() error{
		"deployment virt-api": func() error {
			_, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-api", metav1.GetOptions{})
			return err
		},
		"deployment virt-controller": func() error {
			_, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-controller", metav1.GetOptions{})
			return err
		},
		"daemonset virt-handler": func() error {
			_, err := c.kube.AppsV1().DaemonSets(ns).Get(bg, "virt-handler", metav1.GetOptions{})
			return err
		},
		"service virt-api": func() error {
			_, err := c.kube.CoreV1().Services(ns).Get(bg, "virt-api", metav1.GetOptions{})
			return err
		},
		"service kubevirt-prometheus-metrics": func() error {
			_, err := c.kube.CoreV1().Services(ns).Get(bg, "kubevirt-prometheus-metrics", metav1.GetOptions{})
			return err
		},
		"secret kubevirt-ca": func() error {
			_, err := c.kube.CoreV1().Secrets(ns).Get(bg, "kubevirt-ca", metav1.GetOptions{})
			return err
		},
		"configmap kubevirt-ca": func() error {
			_, err := c.kube.CoreV1().ConfigMaps(ns).Get(bg, "kubevirt-ca", metav1.GetOptions{})
			return err
		},
		"serviceaccount kubevirt-handler": func() error {
			_, err := c.kube.CoreV1().ServiceAccounts(ns).Get(bg, "kubevirt-handler", metav1.GetOptions{})
			return err
		},
		"validating webhooks": func() error {
			_, err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(bg, "virt-api-validator", metav1.GetOptions{})
			return err
		},
		"common instancetype u1.small": func() error {
			_, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Get(bg, "u1.small", metav1.GetOptions{})
			return err
		},
		"common preference alpine": func() error {
			_, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterPreferences().Get(bg, "alpine", metav1.GetOptions{})
			return err
		},
		"apiservice": func() error {
			_, err := c.agg.ApiregistrationV1().APIServices().Get(bg, "v1.subresources.kubevirt.io", metav1.GetOptions{})
			return err
		},
	}
	for what, get := range checks {
		if err := gone(what, get); err != nil {
			t.Error(err)
		}
	}
	if err := monitoringGone(c); err != nil {
		t.Errorf("monitoring objects after the uninstall: %v", err)
	}
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(vmNS).Get(bg, "keep-me", metav1.GetOptions{}); err != nil {
		t.Errorf("the VM did not survive the uninstall: %v", err)
	}
	if _, err := c.kube.CoreV1().Namespaces().Get(bg, ns, metav1.GetOptions{}); err != nil {
		t.Errorf("namespace %s removed: %v", ns, err)
	}
}

func checkReinstall(t *testing.T, c clients) {
	if _, err := c.kvirt.KubevirtV1().KubeVirts(ns).Create(bg, &virtv1.KubeVirt{ObjectMeta: metav1.ObjectMeta{Name: "again"}},
		metav1.CreateOptions{}); err != nil {
		t.Fatalf("create kubevirt: %v", err)
	}
	eventually(t, 30*time.Second, "reinstalled", func() error {
		d, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-api", metav1.GetOptions{})
		if err != nil {
			return err
		}
		kv, err := getKV(c, "again")
		if err != nil {
			return err
		}
		if d.Labels["kubevirt.io/install"] != string(kv.UID) {
			return errors.New("virt-api not labelled with the new KubeVirt")
		}
		return nil
	})
}
