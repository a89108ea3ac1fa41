package virtcontroller

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

// runningVMI creates a VMI and plays scheduler, kubelet and virt-handler until it
// runs on node.
func runningVMI(t *testing.T, c clients, ns, name, node string) *virtv1.VirtualMachineInstance {
	t.Helper()
	vmi, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(context.Background(), testVMI(ns, name), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	markPodRunning(t, c, launcherPod(t, c, vmi), node)
	eventually(t, 10*time.Second, name+" Scheduled", vmiPhase(c, ns, name, virtv1.Scheduled))
	setVMIPhase(t, c, ns, name, virtv1.Running)
	return vmi
}

func createMigration(t *testing.T, c clients, ns, name, vmi string) *virtv1.VirtualMachineInstanceMigration {
	t.Helper()
	m, err := c.kvirt.KubevirtV1().VirtualMachineInstanceMigrations(ns).Create(context.Background(), &virtv1.VirtualMachineInstanceMigration{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       virtv1.VirtualMachineInstanceMigrationSpec{VMIName: vmi},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func migrationPhase(c clients, ns, name string, want virtv1.VirtualMachineInstanceMigrationPhase) func() error {
	return func() error {
		m, err := c.kvirt.KubevirtV1().VirtualMachineInstanceMigrations(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if m.Status.Phase != want {
			return fmt.Errorf("phase %q", m.Status.Phase)
		}
		return nil
	}
}

// handlerReports plays a virt-handler writing migration progress into the VMI.
func handlerReports(t *testing.T, c clients, ns, vmi string, state map[string]interface{}) {
	t.Helper()
	raw, _ := json.Marshal(map[string]interface{}{"status": map[string]interface{}{"migrationState": state}})
	if _, err := c.kvirt.KubevirtV1().VirtualMachineInstances(ns).Patch(context.Background(), vmi, types.MergePatchType, raw, metav1.PatchOptions{}); err != nil {
		t.Fatalf("report migration state: %v", err)
	}
}

func targetPodOf(t *testing.T, c clients, ns string, uid types.UID) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	eventually(t, 10*time.Second, "target pod", func() error {
		pods, err := c.kube.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: virtv1.MigrationJobLabel + "=" + string(uid)})
		if err != nil {
			return err
		}
		if len(pods.Items) != 1 {
			return fmt.Errorf("%d target pods", len(pods.Items))
		}
		pod = &pods.Items[0]
		return nil
	})
	return pod
}

func TestMigrationPhasesAndLimits(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())

	for _, name := range []string{"a", "b", "c"} {
		runningVMI(t, c, ns, name, "node01")
	}
	ma := createMigration(t, c, ns, "mig-a", "a")
	createMigration(t, c, ns, "mig-b", "b")
	eventually(t, 10*time.Second, "mig-a Scheduling", migrationPhase(c, ns, "mig-a", virtv1.MigrationScheduling))
	eventually(t, 10*time.Second, "mig-b Scheduling", migrationPhase(c, ns, "mig-b", virtv1.MigrationScheduling))
	createMigration(t, c, ns, "mig-c", "c")
	// two migrations already leave node01: the third waits
	eventually(t, 10*time.Second, "mig-c Pending", migrationPhase(c, ns, "mig-c", virtv1.MigrationPending))
	stays(t, 3*time.Second, "mig-c held Pending by the per-node limit", migrationPhase(c, ns, "mig-c", virtv1.MigrationPending))

	target := targetPodOf(t, c, ns, ma.UID)
	terms := target.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(terms) != 1 || terms[0].MatchExpressions[0].Operator != corev1.NodeSelectorOpNotIn || terms[0].MatchExpressions[0].Values[0] != "node01" {
		t.Errorf("target pod is not kept off the source node: %+v", terms)
	}
	markPodRunning(t, c, target, "node02")
	eventually(t, 10*time.Second, "PreparingTarget", migrationPhase(c, ns, "mig-a", virtv1.MigrationPreparingTarget))
	vmi, err := getVMI(c, ns, "a")
	if err != nil {
		t.Fatal(err)
	}
	st := vmi.Status.MigrationState
	if st == nil || st.SourceNode != "node01" || st.TargetNode != "node02" || st.MigrationUID != string(ma.UID) || st.TargetPod != target.Name {
		t.Fatalf("vmi migrationState = %+v", st)
	}
	if vmi.Labels[virtv1.MigrationTargetNodeNameLabel] != "node02" {
		t.Errorf("vmi labels = %v", vmi.Labels)
	}
	handlerReports(t, c, ns, "a", map[string]interface{}{"targetNodeAddress": "10.0.0.2"})
	eventually(t, 10*time.Second, "TargetReady", migrationPhase(c, ns, "mig-a", virtv1.MigrationTargetReady))
	handlerReports(t, c, ns, "a", map[string]interface{}{"startTimestamp": time.Now().UTC().Format(time.RFC3339)})
	eventually(t, 10*time.Second, "Running", migrationPhase(c, ns, "mig-a", virtv1.MigrationRunning))
	handlerReports(t, c, ns, "a", map[string]interface{}{"completed": true})
	eventually(t, 10*time.Second, "Succeeded", migrationPhase(c, ns, "mig-a", virtv1.MigrationSucceeded))

	// a slot is free: mig-c proceeds
	// (held by the limit, it looks again every 2 s; generous under load)
	eventually(t, 60*time.Second, "mig-c Scheduling", migrationPhase(c, ns, "mig-c", virtv1.MigrationScheduling))

	// a target pod that vanishes fails its migration
	mb, err := c.kvirt.KubevirtV1().VirtualMachineInstanceMigrations(ns).Get(context.Background(), "mig-b", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zero := int64(0)
	if err := c.kube.CoreV1().Pods(ns).Delete(context.Background(), targetPodOf(t, c, ns, mb.UID).Name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "mig-b Failed", migrationPhase(c, ns, "mig-b", virtv1.MigrationFailed))
}
