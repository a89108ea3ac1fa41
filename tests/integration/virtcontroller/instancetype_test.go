package virtcontroller

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// compatExample decodes one of upstream's example manifests (../shared/compat
// beside the checkout, or $KVIRT_COMPAT_DIR).
func compatExample(t *testing.T, file string, into interface{}) {
	t.Helper()
	dir := os.Getenv("KVIRT_COMPAT_DIR")
	if dir == "" {
		_, self, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(self), "..", "..", "..", "..", "shared", "compat")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "examples", file))
	if err != nil {
		t.Fatalf("upstream example (set KVIRT_COMPAT_DIR): %v", err)
	}
	if err := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(string(raw)), 4096).Decode(into); err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
}

func TestInstancetypeUpstreamExamples(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()

	var it instancetypev1beta1.VirtualMachineInstancetype
	var pref instancetypev1beta1.VirtualMachinePreference
	var vm virtv1.VirtualMachine
	compatExample(t, "csmall.yaml", &it)
	compatExample(t, "virtio.yaml", &pref)
	compatExample(t, "vm-cirros-csmall.yaml", &vm)
	if _, err := c.kvirt.InstancetypeV1beta1().VirtualMachineInstancetypes(ns).Create(ctx, &it, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.kvirt.InstancetypeV1beta1().VirtualMachinePreferences(ns).Create(ctx, &pref, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	always := virtv1.RunStrategyAlways
	vm.Spec.RunStrategy = &always
	vm.Spec.Preference = &virtv1.PreferenceMatcher{Kind: "VirtualMachinePreference", Name: pref.Name}
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, &vm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	vmiUID(t, c, ns, vm.Name, "")
	vmi, err := getVMI(c, ns, vm.Name)
	if err != nil {
		t.Fatal(err)
	}
	cpu := vmi.Spec.Domain.CPU
	if cpu == nil || cpu.Sockets != 1 || cpu.Cores != 1 || cpu.Threads != 1 {
		t.Errorf("cpu = %+v, want 1 socket", cpu)
	}
	if g := vmi.Spec.Domain.Memory.Guest; g == nil || g.Cmp(resource.MustParse("128Mi")) != 0 {
		t.Errorf("guest memory = %v, want 128Mi", g)
	}
	for _, d := range vmi.Spec.Domain.Devices.Disks {
		if d.Disk == nil || d.Disk.Bus != virtv1.DiskBusVirtio {
			t.Errorf("disk %s = %+v, want virtio", d.Name, d.Disk)
		}
	}
	// The VM's status follows the VMI's creation in a later write.
	eventually(t, 10*time.Second, "instancetype and preference refs in the VM status", func() error {
		got, err := getVM(c, ns, vm.Name)
		if err != nil {
			return err
		}
		if r := got.Status.InstancetypeRef; r == nil || r.ControllerRevisionRef == nil || r.Name != "csmall" {
			return fmt.Errorf("instancetypeRef = %+v", r)
		}
		if r := got.Status.PreferenceRef; r == nil || r.ControllerRevisionRef == nil || r.Name != "virtio" {
			return fmt.Errorf("preferenceRef = %+v", r)
		}
		return nil
	})
}

// TestInstancetypeTwoVCPUsAndRevisionPinning: a 2 vCPU / 128Mi instancetype with
// a virtio preference gives sockets=2, 128Mi, virtio disks for both volumes and a
// default interface of model virtio; editing the instancetype afterwards does not
// change what the VM gets on restart.
func TestInstancetypeTwoVCPUsAndRevisionPinning(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()

	guest := resource.MustParse("128Mi")
	it := &instancetypev1beta1.VirtualMachineClusterInstancetype{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-c2"},
		Spec: instancetypev1beta1.VirtualMachineInstancetypeSpec{
			CPU: instancetypev1beta1.CPUInstancetype{Guest: 2}, Memory: instancetypev1beta1.MemoryInstancetype{Guest: &guest},
		},
	}
	it, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Create(ctx, it, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Delete(ctx, it.Name, metav1.DeleteOptions{})
	})
	pref := &instancetypev1beta1.VirtualMachinePreference{
		ObjectMeta: metav1.ObjectMeta{Name: "virtio"},
		Spec: instancetypev1beta1.VirtualMachinePreferenceSpec{Devices: &instancetypev1beta1.DevicePreferences{
			PreferredDiskBus: "virtio", PreferredInterfaceModel: "virtio"}},
	}
	if _, err := c.kvirt.InstancetypeV1beta1().VirtualMachinePreferences(ns).Create(ctx, pref, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	vm := testVM(ns, "it2", virtv1.RunStrategyManual)
	vm.Spec.Template.Spec.Domain.Memory = nil
	vm.Spec.Template.Spec.Domain.Devices.Disks = nil
	vm.Spec.Template.Spec.Volumes = append(vm.Spec.Template.Spec.Volumes, virtv1.Volume{
		Name: "cloudinitdisk", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: "#!/bin/sh\necho hi\n"}})
	vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: it.Name} // kind defaults to the cluster kind
	vm.Spec.Preference = &virtv1.PreferenceMatcher{Kind: "VirtualMachinePreference", Name: "virtio"}
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, vm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	start := func() {
		requestState(t, c, ns, vm.Name, virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest})
	}

	start()
	first := vmiUID(t, c, ns, vm.Name, "")
	checkExpanded(t, c, ns, vm.Name)

	// edit the instancetype: the VM keeps the revision it started with
	eventually(t, 10*time.Second, "edit instancetype", func() error {
		cur, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Get(ctx, it.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Spec.CPU.Guest = 4
		_, err = c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Update(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	requestState(t, c, ns, vm.Name, virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StopRequest, UID: string(first)},
		virtv1.VirtualMachineStateChangeRequest{Action: virtv1.StartRequest})
	vmiUID(t, c, ns, vm.Name, first)
	checkExpanded(t, c, ns, vm.Name)
}

func checkExpanded(t *testing.T, c clients, ns, name string) {
	t.Helper()
	vmi, err := getVMI(c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if cpu := vmi.Spec.Domain.CPU; cpu == nil || cpu.Sockets != 2 || cpu.Cores != 1 || cpu.Threads != 1 {
		t.Errorf("cpu = %+v, want sockets=2", cpu)
	}
	if m := vmi.Spec.Domain.Memory; m == nil || m.Guest == nil || m.Guest.Cmp(resource.MustParse("128Mi")) != 0 {
		t.Errorf("memory = %+v, want guest 128Mi", m)
	}
	disks := vmi.Spec.Domain.Devices.Disks
	if len(disks) != 2 {
		t.Fatalf("disks = %+v, want one per volume", disks)
	}
	for _, d := range disks {
		if d.Disk == nil || d.Disk.Bus != virtv1.DiskBusVirtio {
			t.Errorf("disk %s = %+v, want virtio", d.Name, d.Disk)
		}
	}
	ifaces := vmi.Spec.Domain.Devices.Interfaces
	if len(ifaces) != 1 || ifaces[0].Name != "default" || ifaces[0].Model != "virtio" {
		t.Errorf("interfaces = %+v, want default of model virtio", ifaces)
	}
	if len(vmi.Spec.Networks) != 1 || vmi.Spec.Networks[0].Pod == nil {
		t.Errorf("networks = %+v, want the pod network", vmi.Spec.Networks)
	}
}

func requestState(t *testing.T, c clients, ns, name string, reqs ...virtv1.VirtualMachineStateChangeRequest) {
	t.Helper()
	eventually(t, 10*time.Second, "add state change request", func() error {
		vm, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		vm.Status.StateChangeRequests = append(vm.Status.StateChangeRequests, reqs...)
		_, err = c.kvirt.KubevirtV1().VirtualMachines(ns).UpdateStatus(context.Background(), vm, metav1.UpdateOptions{})
		return err
	})
}

func TestMissingInstancetypeIsAConditionNotACrashLoop(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	startController(t, controllerOptions())
	ctx := context.Background()
	vm := testVM(ns, "missing", virtv1.RunStrategyAlways)
	vm.Spec.Template.Spec.Domain.Memory = nil
	vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Kind: "VirtualMachineInstancetype", Name: "nope"}
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, vm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "Failure condition", func() error {
		got, err := getVM(c, ns, vm.Name)
		if err != nil {
			return err
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == virtv1.VirtualMachineFailure && cond.Status == "True" && strings.Contains(cond.Message, "not found") {
				t.Logf("condition: %s: %s", cond.Reason, cond.Message)
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", got.Status.Conditions)
	})
	stays(t, time.Second, "no vmi while the instancetype is missing", gone(func() error { _, err := getVMI(c, ns, vm.Name); return err }))

	guest := resource.MustParse("64Mi")
	_, err := c.kvirt.InstancetypeV1beta1().VirtualMachineInstancetypes(ns).Create(ctx, &instancetypev1beta1.VirtualMachineInstancetype{
		ObjectMeta: metav1.ObjectMeta{Name: "nope"},
		Spec: instancetypev1beta1.VirtualMachineInstancetypeSpec{
			CPU: instancetypev1beta1.CPUInstancetype{Guest: 1}, Memory: instancetypev1beta1.MemoryInstancetype{Guest: &guest}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vmiUID(t, c, ns, vm.Name, "")
	eventually(t, 10*time.Second, "Failure condition cleared", func() error {
		got, err := getVM(c, ns, vm.Name)
		if err != nil {
			return err
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == virtv1.VirtualMachineFailure {
				return fmt.Errorf("still %+v", cond)
			}
		}
		return nil
	})
}
