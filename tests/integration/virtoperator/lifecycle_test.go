package virtoperator

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/version"
)

// TestLifecycle walks one install from KubeVirt creation to uninstall; each step
// builds on the previous one.
func TestLifecycle(t *testing.T) {
	c := newClients(t)
	if _, err := c.kube.CoreV1().Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace: %v", err)
	}
	vmNS := createVM(t, c)
	// Short validities so the CA and the leaves rotate while the test runs.
	startOperator(t, operatorOptions(t, "--ca-validity", "12s", "--cert-validity", "6s"))

	created := time.Now()
	if _, err := c.kvirt.KubevirtV1().KubeVirts(ns).Create(bg, &virtv1.KubeVirt{ObjectMeta: metav1.ObjectMeta{Name: "kubevirt"}},
		metav1.CreateOptions{}); err != nil {
		t.Fatalf("create kubevirt: %v", err)
	}
	t.Run("installs every object", func(t *testing.T) { checkInstalled(t, c) })
	t.Logf("figure: KubeVirt created -> every object installed: %s", time.Since(created).Round(time.Millisecond))
	t.Run("reports Deployed once components are ready", func(t *testing.T) { checkDeployed(t, c, created) })
	t.Run("recreates a deleted Deployment", func(t *testing.T) { checkRecreate(t, c) })
	t.Run("rolls virt-controller on useEmulation", func(t *testing.T) { checkEmulation(t, c) })
	t.Run("rotates certificates and the caBundle follows", func(t *testing.T) { checkRotation(t, c) })
	t.Run("ignores a second KubeVirt", func(t *testing.T) { checkSecond(t, c) })
	t.Run("installs the common instancetypes", func(t *testing.T) { checkCommonInstancetypes(t, c) })
	t.Run("common instancetypes follow commonInstancetypesDeployment", func(t *testing.T) { checkCommonInstancetypesToggle(t, c) })
	t.Run("installs the monitoring objects for a Prometheus", func(t *testing.T) { checkMonitoring(t, c) })
	t.Run("uninstall waits for VMIs when blocked", func(t *testing.T) { checkBlockedUninstall(t, c, vmNS) })
	t.Run("uninstall keeps CRDs and VMs", func(t *testing.T) { checkUninstalled(t, c, vmNS) })
	t.Run("reinstalls when the KubeVirt is created again", func(t *testing.T) { checkReinstall(t, c) })
}

func createVM(t *testing.T, c clients) string {
	t.Helper()
	vmNS, err := c.kube.CoreV1().Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "vo-vms-"}},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	vm := &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: "keep-me", Namespace: vmNS.Name},
		Spec: virtv1.VirtualMachineSpec{RunStrategy: ptr.To(virtv1.RunStrategyHalted),
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{}},
	}
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(vmNS.Name).Create(bg, vm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create vm: %v", err)
	}
	return vmNS.Name
}

func checkInstalled(t *testing.T, c clients) {
	eventually(t, 30*time.Second, "install", func() error {
		kv, err := getKV(c, "kubevirt")
		if err != nil {
			return err
		}
		if !slices.Contains(kv.Finalizers, "foregroundDeleteKubeVirt") {
			return errors.New("no finalizer yet")
		}
		if _, err := c.kube.AppsV1().DaemonSets(ns).Get(bg, "virt-handler", metav1.GetOptions{}); err != nil {
			return err
		}
		return conditionIs(kv, virtv1.KubeVirtConditionCreated, corev1.ConditionTrue, "")
	})
	api, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-api", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("virt-api: %v", err)
	}
	if api.Labels["app.kubernetes.io/managed-by"] != "virt-operator" || *api.Spec.Replicas != 2 ||
		api.Spec.Template.Spec.ServiceAccountName != "kubevirt-apiserver" ||
		api.Spec.Template.Spec.Containers[0].Image != testEnv["VIRT_API_IMAGE"] ||
		argValue(containerArgs(api), "--handler-namespace") != "kubevirt" {
		t.Errorf("virt-api deployment: labels %v replicas %d sa %q image %q args %v", api.Labels, *api.Spec.Replicas,
			api.Spec.Template.Spec.ServiceAccountName, api.Spec.Template.Spec.Containers[0].Image, containerArgs(api))
	}
	ctrl, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-controller", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("virt-controller: %v", err)
	}
	if argValue(containerArgs(ctrl), "--launcher-image") != testEnv["VIRT_LAUNCHER_IMAGE"] || slices.Contains(containerArgs(ctrl), "--allow-emulation") {
		t.Errorf("virt-controller args: %v", containerArgs(ctrl))
	}
	checkDataVolumeAPI(t, c, ctrl)
	ds, err := c.kube.AppsV1().DaemonSets(ns).Get(bg, "virt-handler", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("virt-handler: %v", err)
	}
	pod := ds.Spec.Template.Spec
	if !pod.HostNetwork || !*pod.Containers[0].SecurityContext.Privileged || !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
		return v.HostPath != nil && v.HostPath.Path == "/srv/kubelet/device-plugins"
	}) {
		t.Errorf("virt-handler pod: hostNetwork %v volumes %+v", pod.HostNetwork, pod.Volumes)
	}
	checkRegistration(t, c)
	for _, s := range []string{"kubevirt-ca", "kubevirt-virt-api-certs", "kubevirt-virt-handler-server-certs", "kubevirt-virt-handler-certs",
		"kubevirt-upload-proxy-certs"} {
		sec, err := c.kube.CoreV1().Secrets(ns).Get(bg, s, metav1.GetOptions{})
		if err != nil || sec.Type != corev1.SecretTypeTLS || len(sec.Data[corev1.TLSCertKey]) == 0 {
			t.Errorf("secret %s: %v", s, err)
		}
	}
	checkNodeRestriction(t, c, ns)
	for _, sa := range []string{"kubevirt-apiserver", "kubevirt-controller", "kubevirt-handler"} {
		if _, err := c.kube.CoreV1().ServiceAccounts(ns).Get(bg, sa, metav1.GetOptions{}); err != nil {
			t.Errorf("service account %s: %v", sa, err)
		}
	}
	lease, err := c.kube.CoordinationV1().Leases(ns).Get(bg, "virt-operator", metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Errorf("leader lease kubevirt/virt-operator: %v %+v", err, lease)
	}
	kv, _ := getKV(c, "kubevirt")
	if kv.Status.Phase != virtv1.KubeVirtPhaseDeploying {
		t.Errorf("phase %q before components are ready, want Deploying", kv.Status.Phase)
	}
}

// checkRegistration: the Service, webhooks and APIService point at virt-api and
// trust the CA bundle of the ConfigMap.
func checkRegistration(t *testing.T, c clients) {
	t.Helper()
	svc, err := c.kube.CoreV1().Services(ns).Get(bg, "virt-api", metav1.GetOptions{})
	if err != nil || svc.Spec.Ports[0].Port != 443 || svc.Spec.Ports[0].TargetPort.IntValue() != 8443 {
		t.Errorf("service virt-api: %v %+v", err, svc)
	}
	cm, err := c.kube.CoreV1().ConfigMaps(ns).Get(bg, "kubevirt-ca", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("configmap kubevirt-ca: %v", err)
	}
	bundle := []byte(cm.Data["ca-bundle"])
	vwc, err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(bg, "virt-api-validator", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("validating webhooks: %v", err)
	}
	for _, w := range vwc.Webhooks {
		if w.ClientConfig.Service == nil || w.ClientConfig.Service.Namespace != ns || w.ClientConfig.Service.Name != "virt-api" {
			t.Errorf("webhook %s client config %+v", w.Name, w.ClientConfig)
		}
	}
	if _, err := c.kube.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(bg, "virt-api-mutator", metav1.GetOptions{}); err != nil {
		t.Errorf("mutating webhooks: %v", err)
	}
	as, err := c.agg.ApiregistrationV1().APIServices().Get(bg, "v1.subresources.kubevirt.io", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("apiservice: %v", err)
	}
	if as.Spec.Service == nil || as.Spec.Service.Namespace != ns || !bytes.Equal(as.Spec.CABundle, bundle) {
		t.Errorf("apiservice spec %+v does not use the ca bundle", as.Spec.Service)
	}
}

func checkDeployed(t *testing.T, c clients, created time.Time) {
	markReady(t, c)
	eventually(t, 20*time.Second, "phase Deployed", func() error {
		kv, err := getKV(c, "kubevirt")
		if err != nil {
			return err
		}
		if kv.Status.Phase != virtv1.KubeVirtPhaseDeployed {
			return fmt.Errorf("phase %q", kv.Status.Phase)
		}
		if err := conditionIs(kv, virtv1.KubeVirtConditionAvailable, corev1.ConditionTrue, ""); err != nil {
			return err
		}
		if err := conditionIs(kv, virtv1.KubeVirtConditionProgressing, corev1.ConditionFalse, ""); err != nil {
			return err
		}
		if err := conditionIs(kv, virtv1.KubeVirtConditionDegraded, corev1.ConditionFalse, ""); err != nil {
			return err
		}
		st := kv.Status
		if st.ObservedKubeVirtVersion != version.Get().GitVersion || st.TargetKubeVirtVersion != st.ObservedKubeVirtVersion ||
			st.OperatorVersion == "" || st.ObservedDeploymentID == "" || st.ObservedKubeVirtRegistry != "kvirt.local" ||
			st.ObservedGeneration != kv.Generation {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})
	t.Logf("figure: KubeVirt created -> phase Deployed (components marked ready by the test): %s", time.Since(created).Round(time.Millisecond))
}

func checkRecreate(t *testing.T, c clients) {
	old, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.kube.AppsV1().Deployments(ns).Delete(bg, "virt-api", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "virt-api recreated", func() error {
		d, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-api", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.UID == old.UID {
			return errors.New("still the old deployment")
		}
		return nil
	})
	t.Logf("figure: virt-api Deployment deleted -> recreated: %s", time.Since(start).Round(time.Millisecond))
	eventually(t, 10*time.Second, "Available=False while virt-api is new", func() error {
		kv, err := getKV(c, "kubevirt")
		if err != nil {
			return err
		}
		return conditionIs(kv, virtv1.KubeVirtConditionAvailable, corev1.ConditionFalse, "")
	})
	markReady(t, c)
	start = time.Now()
	if err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(bg, "virt-api-validator", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.kube.CoreV1().Services(ns).Delete(bg, "virt-api", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "webhooks and service recreated", func() error {
		if _, err := c.kube.CoreV1().Services(ns).Get(bg, "virt-api", metav1.GetOptions{}); err != nil {
			return err
		}
		_, err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(bg, "virt-api-validator", metav1.GetOptions{})
		return err
	})
	t.Logf("figure: webhook configuration and Service deleted -> recreated: %s", time.Since(start).Round(time.Millisecond))
}

func checkEmulation(t *testing.T, c clients) {
	start := time.Now()
	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) {
		kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{UseEmulation: ptr.To(true)}
	})
	eventually(t, 20*time.Second, "virt-controller --allow-emulation", func() error {
		d, err := c.kube.AppsV1().Deployments(ns).Get(bg, "virt-controller", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !slices.Contains(containerArgs(d), "--allow-emulation") {
			return fmt.Errorf("args %v", containerArgs(d))
		}
		return nil
	})
	t.Logf("figure: useEmulation set -> virt-controller args changed: %s", time.Since(start).Round(time.Millisecond))
	eventually(t, 10*time.Second, "Progressing while virt-controller rolls", func() error {
		kv, err := getKV(c, "kubevirt")
		if err != nil {
			return err
		}
		if kv.Status.Phase != virtv1.KubeVirtPhaseDeployed {
			return fmt.Errorf("phase %q, want Deployed to stay", kv.Status.Phase)
		}
		return conditionIs(kv, virtv1.KubeVirtConditionProgressing, corev1.ConditionTrue, "")
	})
	markReady(t, c)
}

func checkRotation(t *testing.T, c clients) {
	oldCA, err := c.kube.CoreV1().Secrets(ns).Get(bg, "kubevirt-ca", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var bundle []byte
	eventually(t, 30*time.Second, "CA rotated and webhooks trust the new bundle", func() error {
		ca, err := c.kube.CoreV1().Secrets(ns).Get(bg, "kubevirt-ca", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if bytes.Equal(ca.Data[corev1.TLSCertKey], oldCA.Data[corev1.TLSCertKey]) {
			return errors.New("CA not rotated yet")
		}
		cm, err := c.kube.CoreV1().ConfigMaps(ns).Get(bg, "kubevirt-ca", metav1.GetOptions{})
		if err != nil {
			return err
		}
		bundle = []byte(cm.Data["ca-bundle"])
		if !bytes.Contains(bundle, bytes.TrimSpace(ca.Data[corev1.TLSCertKey])) {
			return errors.New("bundle lacks the new CA")
		}
		vwc, err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(bg, "virt-api-validator", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !bytes.Equal(vwc.Webhooks[0].ClientConfig.CABundle, bundle) {
			return errors.New("webhook caBundle differs from the ConfigMap")
		}
		return nil
	})
	roots, n := pool(t, bundle)
	t.Logf("ca bundle holds %d certificates after rotation", n)
	eventually(t, 20*time.Second, "virt-api certificate verifies against the new bundle", func() error {
		s, err := c.kube.CoreV1().Secrets(ns).Get(bg, "kubevirt-virt-api-certs", metav1.GetOptions{})
		if err != nil {
			return err
		}
		_, err = leaf(t, s).Verify(x509.VerifyOptions{Roots: roots, DNSName: "virt-api.kubevirt.svc",
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		return err
	})
}

func checkSecond(t *testing.T, c clients) {
	if _, err := c.kvirt.KubevirtV1().KubeVirts(ns).Create(bg, &virtv1.KubeVirt{ObjectMeta: metav1.ObjectMeta{Name: "second"}},
		metav1.CreateOptions{}); err != nil {
		t.Fatalf("create second kubevirt: %v", err)
	}
	eventually(t, 20*time.Second, "second KubeVirt reported as ignored", func() error {
		kv, err := getKV(c, "second")
		if err != nil {
			return err
		}
		if len(kv.Finalizers) != 0 {
			return fmt.Errorf("finalizers %v on an ignored KubeVirt", kv.Finalizers)
		}
		return conditionIs(kv, virtv1.KubeVirtConditionDegraded, corev1.ConditionTrue, "ExistingDeployment")
	})
	if err := c.kvirt.KubevirtV1().KubeVirts(ns).Delete(bg, "second", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "second KubeVirt gone", func() error {
		return gone("kubevirt second", func() error { _, err := getKV(c, "second"); return err })
	})
}
