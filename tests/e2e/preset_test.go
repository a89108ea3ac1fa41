package e2e

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// twoCorePreset is a kubevirt.io/v1alpha3 VirtualMachineInstancePreset, as old
// manifests have it, that gives the test VM's VMIs two cores.
const twoCorePreset = `apiVersion: kubevirt.io/v1alpha3
kind: VirtualMachineInstancePreset
metadata:
  name: two-cores
spec:
  selector:
    matchLabels:
      kubevirt.io/vm: testvm
  domain:
    devices: {}
    cpu:
      sockets: 1
      cores: 2
      threads: 1
`

// TestV1alpha3VMWithPreset applies the test VM as a kubevirt.io/v1alpha3
// manifest with kubectl, plus a preset matching its template's labels: the VM
// is stored (readable as v1), and its VMI starts with the preset's CPU
// topology and the annotation naming the preset.
func TestV1alpha3VMWithPreset(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, twoCorePreset, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply preset: %v\n%s%s", err, out, errOut)
	}
	old := strings.Replace(example(t, "vm-testguest.yaml"), "apiVersion: kubevirt.io/v1\n", "apiVersion: kubevirt.io/v1alpha3\n", 1)
	out, errOut, err := kubectl(t, old, "-n", ns, "apply", "-f", "-")
	if err != nil {
		t.Fatalf("kubectl apply v1alpha3 VM: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(errOut, "kubevirt.io/v1alpha3 is deprecated") {
		t.Errorf("kubectl showed no deprecation warning:\n%s", errOut)
	}
	if _, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx(t), "testvm", metav1.GetOptions{}); err != nil {
		t.Fatalf("read the v1alpha3 VM as v1: %v", err)
	}
	startVM(t, ns, "testvm")
	vmi := waitRunning(t, ns, "testvm")
	if c := vmi.Spec.Domain.CPU; c == nil || c.Cores != 2 || c.Sockets != 1 || c.Threads != 1 {
		t.Errorf("VMI cpu %+v, want the preset's 1 socket x 2 cores x 1 thread", c)
	}
	if v := vmi.Annotations[virtv1.PresetAnnotationPrefix+"two-cores"]; v != "kubevirt.io/v1" {
		t.Errorf("VMI annotations %v lack the preset's", vmi.Annotations)
	}
	consoleUntil(t, ns, "testvm", markerBooted)
	if err := e.sub.StopVM(ctx(t), ns, "testvm", &virtv1.StopOptions{}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	waitVMIGone(t, ns, "testvm")
}
