package virtcontroller

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

func testVM(ns, name string, strategy virtv1.VirtualMachineRunStrategy) *virtv1.VirtualMachine {
	vmi := testVMI(ns, name)
	return &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: virtv1.VirtualMachineSpec{
			RunStrategy: &strategy,
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"kubevirt.io/vm": name}},
				Spec:       vmi.Spec,
			},
		},
	}
}

func getVM(c clients, ns, name string) (*virtv1.VirtualMachine, error) {
	return c.kvirt.KubevirtV1().VirtualMachines(ns).Get(context.Background(), name, metav1.GetOptions{})
}

// vmiUID waits for the VM's VMI and returns its UID; with other set, only a VMI
// with a different UID counts.
func vmiUID(t *testing.T, c clients, ns, name string, other types.UID) types.UID {
	t.Helper()
	var uid types.UID
	eventually(t, 20*time.Second, "vmi of "+name, func() error {
		vmi, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		if vmi.UID == other {
			return fmt.Errorf("still the old vmi %s (phase %s)", other, vmi.Status.Phase)
		}
		if ref := metav1.GetControllerOf(vmi); ref == nil || ref.Name != name || ref.Kind != "VirtualMachine" {
			return fmt.Errorf("owner reference %+v", ref)
		}
		uid = vmi.UID
		return nil
	})
	return uid
}

// stays asserts cond keeps holding for a while (the controller had its chance to act).
func stays(t *testing.T, d time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if err := cond(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func printable(c clients, ns, name string, want virtv1.VirtualMachinePrintableStatus) func() error {
	return func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		if vm.Status.PrintableStatus != want {
			return fmt.Errorf("printableStatus %q", vm.Status.PrintableStatus)
		}
		return nil
	}
}

// TestRunStrategies runs each strategy against each VMI outcome: the VMI ran and
// the guest shut down (Succeeded) or crashed (Failed).
func TestRunStrategies(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()

	tests := []struct {
		strategy virtv1.VirtualMachineRunStrategy
		starts   bool
		restarts map[virtv1.VirtualMachineInstancePhase]bool
	}{
		{virtv1.RunStrategyAlways, true, map[virtv1.VirtualMachineInstancePhase]bool{virtv1.Succeeded: true, virtv1.Failed: true}},
		{virtv1.RunStrategyRerunOnFailure, true, map[virtv1.VirtualMachineInstancePhase]bool{virtv1.Succeeded: false, virtv1.Failed: true}},
		{virtv1.RunStrategyOnce, true, map[virtv1.VirtualMachineInstancePhase]bool{virtv1.Succeeded: false, virtv1.Failed: false}},
		{virtv1.RunStrategyManual, false, map[virtv1.VirtualMachineInstancePhase]bool{virtv1.Succeeded: false, virtv1.Failed: false}},
		{virtv1.RunStrategyHalted, false, nil},
	}
	for _, tt := range tests {
		for _, outcome := range []virtv1.VirtualMachineInstancePhase{virtv1.Succeeded, virtv1.Failed} {
			manual := tt.strategy == virtv1.RunStrategyManual
			if tt.restarts == nil && outcome == virtv1.Failed {
				continue
			}
			name := fmt.Sprintf("%s-%s", tt.strategy, outcome)
			if tt.restarts == nil {
				name = fmt.Sprintf("%s-never-starts", tt.strategy)
			}
			t.Run(name, func(t *testing.T) {
				name := toDNS(name)
				if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, name, tt.strategy), metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
				if !tt.starts {
					stays(t, 2*time.Second, "no vmi", gone(func() error { _, err := getVMI(c, ns, name); return err }))
					eventually(t, 10*time.Second, "Stopped", printable(c, ns, name, virtv1.VirtualMachineStatusStopped))
					if !manual {
						return
					}
					requestState(t, c, ns, name, virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest})
				}
				first := vmiUID(t, c, ns, name, "")
				eventually(t, 10*time.Second, "Starting", printable(c, ns, name, virtv1.VirtualMachineStatusStarting))
				setVMIPhase(t, c, ns, name, virtv1.Running)
				eventually(t, 10*time.Second, "Running", printable(c, ns, name, virtv1.VirtualMachineStatusRunning))
				if vm, _ := getVM(c, ns, name); !vm.Status.Ready || !vm.Status.Created {
					t.Errorf("ready=%v created=%v while running", vm.Status.Ready, vm.Status.Created)
				}
				setVMIPhase(t, c, ns, name, outcome)
				if tt.restarts[outcome] {
					vmiUID(t, c, ns, name, first)
					return
				}
				stays(t, 2*time.Second, "vmi kept", func() error {
					vmi, err := getVMI(c, ns, name)
					if err != nil {
						return err
					}
					if vmi.UID != first {
						return fmt.Errorf("restarted")
					}
					return nil
				})
				eventually(t, 10*time.Second, "Stopped", printable(c, ns, name, virtv1.VirtualMachineStatusStopped))
			})
		}
	}
}

func toDNS(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			out = append(out, r)
		}
	}
	return string(out)
}

func TestStateChangeRequestsAndHalt(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()
	name := "manual"
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, name, virtv1.RunStrategyManual), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	request := func(reqs ...virtv1.VirtualMachineStateChangeRequest) {
		eventually(t, 10*time.Second, "add state change request", func() error {
			vm, err := getVM(c, ns, name)
			if err != nil {
				return err
			}
			vm.Status.StateChangeRequests = append(vm.Status.StateChangeRequests, reqs...)
			_, err = c.kvirt.KubevirtV1().VirtualMachines(ns).UpdateStatus(ctx, vm, metav1.UpdateOptions{})
			return err
		})
	}
	noRequests := func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		if n := len(vm.Status.StateChangeRequests); n > 0 {
			return fmt.Errorf("%d requests left", n)
		}
		return nil
	}

	request(virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest})
	first := vmiUID(t, c, ns, name, "")
	eventually(t, 10*time.Second, "start request consumed", noRequests)

	// restart: stop this VMI, then start a new one
	request(virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StopRequest, UID: string(first)},
		virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest})
	vmiUID(t, c, ns, name, first)
	eventually(t, 10*time.Second, "restart requests consumed", noRequests)

	request(virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StopRequest})
	eventually(t, 20*time.Second, "vmi stopped", gone(func() error { _, err := getVMI(c, ns, name); return err }))
	eventually(t, 10*time.Second, "Stopped", printable(c, ns, name, virtv1.VirtualMachineStatusStopped))
	eventually(t, 10*time.Second, "stop request consumed", noRequests)

	// legacy running: true starts, then Halted stops
	vm, err := getVM(c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	vm.Spec.RunStrategy, vm.Spec.Running = nil, &yes
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Update(ctx, vm, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("switch to running: true: %v", err)
	}
	vmiUID(t, c, ns, name, "")
	eventually(t, 10*time.Second, "switch to Halted", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		halted := virtv1.RunStrategyHalted
		vm.Spec.RunStrategy, vm.Spec.Running = &halted, nil
		_, err = c.kvirt.KubevirtV1().VirtualMachines(ns).Update(ctx, vm, metav1.UpdateOptions{})
		return err
	})
	eventually(t, 20*time.Second, "halted vm has no vmi", gone(func() error { _, err := getVMI(c, ns, name); return err }))
}

func TestStartFailureBackoff(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()
	name := "crashy"
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, name, virtv1.RunStrategyAlways), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	first := vmiUID(t, c, ns, name, "")
	// the launcher pod vanishes before the VMI ran: a start failure
	pod := launcherPod(t, c, &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: first}})
	zero := int64(0)
	if err := c.kube.CoreV1().Pods(ns).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "CrashLoopBackOff", printable(c, ns, name, virtv1.VirtualMachineStatusCrashLoopBackOff))
	vm, err := getVM(c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	f := vm.Status.StartFailure
	if f == nil || f.ConsecutiveFailCount != 1 || f.LastFailedVMIUID != string(first) || f.RetryAfterTimestamp == nil {
		t.Fatalf("startFailure = %+v", f)
	}
	wait := time.Until(f.RetryAfterTimestamp.Time)
	t.Logf("retry after %s (backoff 10s for the first failure)", wait.Round(time.Second))
	vmiUID(t, c, ns, name, first)
}

func TestUnschedulableLauncherShowsOnTheVM(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	name := "unsched"
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(context.Background(), testVM(ns, name, virtv1.RunStrategyAlways), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	uid := vmiUID(t, c, ns, name, "")
	pod := launcherPod(t, c, &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid}})
	// what the scheduler reports when no node fits
	setPodStatus(t, c, ns, pod.Name, func(p *corev1.Pod) {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
			Reason: corev1.PodReasonUnschedulable, Message: "0/3 nodes are available: insufficient devices.kubevirt.io/kvm"}}
	})
	eventually(t, 10*time.Second, "ErrorUnschedulable", printable(c, ns, name, virtv1.VirtualMachineStatusUnschedulable))
	markPodRunning(t, c, pod, "node01")
	eventually(t, 10*time.Second, "Starting once scheduled", printable(c, ns, name, virtv1.VirtualMachineStatusStarting))
}
