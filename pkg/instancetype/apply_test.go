package instancetype

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

func quantity(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}

func twoVolumes() *virtv1.VirtualMachineInstance {
	return &virtv1.VirtualMachineInstance{Spec: virtv1.VirtualMachineInstanceSpec{
		Volumes: []virtv1.Volume{
			{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img"}},
			{Name: "ci", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: "#!/bin/sh"}},
		},
	}}
}

func virtio() *instancetypev1beta1.VirtualMachinePreferenceSpec {
	return &instancetypev1beta1.VirtualMachinePreferenceSpec{Devices: &instancetypev1beta1.DevicePreferences{
		PreferredDiskBus: "virtio", PreferredInterfaceModel: "virtio",
	}}
}

func TestApplyInstancetypeAndPreference(t *testing.T) {
	vmi := twoVolumes()
	it := &instancetypev1beta1.VirtualMachineInstancetypeSpec{
		CPU: instancetypev1beta1.CPUInstancetype{Guest: 2}, Memory: instancetypev1beta1.MemoryInstancetype{Guest: quantity("128Mi")},
	}
	if errs := Apply(vmi, it, virtio()); len(errs) > 0 {
		t.Fatalf("conflicts: %v", errs)
	}
	cpu := vmi.Spec.Domain.CPU
	if cpu.Sockets != 2 || cpu.Cores != 1 || cpu.Threads != 1 {
		t.Errorf("topology = %d/%d/%d, want sockets=2", cpu.Sockets, cpu.Cores, cpu.Threads)
	}
	if vmi.Spec.Domain.Memory.Guest.Cmp(resource.MustParse("128Mi")) != 0 {
		t.Errorf("guest memory = %s", vmi.Spec.Domain.Memory.Guest)
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
	if len(ifaces) != 1 || ifaces[0].Name != "default" || ifaces[0].Model != "virtio" || ifaces[0].Bridge == nil {
		t.Errorf("interfaces = %+v, want default bridge of model virtio", ifaces)
	}
	if len(vmi.Spec.Networks) != 1 || vmi.Spec.Networks[0].Pod == nil {
		t.Errorf("networks = %+v, want the pod network", vmi.Spec.Networks)
	}
}

func TestTopology(t *testing.T) {
	pref := func(topo instancetypev1beta1.PreferredCPUTopology, opts *instancetypev1beta1.SpreadOptions) *instancetypev1beta1.VirtualMachinePreferenceSpec {
		return &instancetypev1beta1.VirtualMachinePreferenceSpec{CPU: &instancetypev1beta1.CPUPreferences{PreferredCPUTopology: &topo, SpreadOptions: opts}}
	}
	tests := []struct {
		name  string
		guest int64
		pref  *instancetypev1beta1.VirtualMachinePreferenceSpec
		want  [3]int64
	}{
		{"no preference: sockets", 4, nil, [3]int64{4, 1, 1}},
		{"sockets", 4, pref(instancetypev1beta1.Sockets, nil), [3]int64{4, 1, 1}},
		{"cores", 4, pref(instancetypev1beta1.Cores, nil), [3]int64{1, 4, 1}},
		{"threads", 4, pref(instancetypev1beta1.Threads, nil), [3]int64{1, 1, 4}},
		{"spread default 1:2 sockets:cores", 4, pref(instancetypev1beta1.Spread, nil), [3]int64{2, 2, 1}},
		{"spread 1:3 uneven falls back to sockets", 4, pref(instancetypev1beta1.Spread, &instancetypev1beta1.SpreadOptions{Ratio: 3}), [3]int64{4, 1, 1}},
		{"spread cores:threads", 4, pref(instancetypev1beta1.Spread, &instancetypev1beta1.SpreadOptions{Across: "CoresThreads"}), [3]int64{1, 2, 2}},
		{"spread sockets:cores:threads", 8, pref(instancetypev1beta1.Spread, &instancetypev1beta1.SpreadOptions{Across: "SocketsCoresThreads"}), [3]int64{2, 2, 2}},
		{"any: sockets", 3, pref(instancetypev1beta1.Any, nil), [3]int64{3, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Topology(tt.guest, tt.pref)
			if got := [3]int64{c.Sockets, c.Cores, c.Threads}; got != tt.want {
				t.Errorf("topology = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestApplyConflictsAndPreferencesDoNotOverride(t *testing.T) {
	vmi := twoVolumes()
	vmi.Spec.Domain.CPU = &virtv1.CPU{Sockets: 3}
	vmi.Spec.Domain.Memory = &virtv1.Memory{Guest: quantity("1Gi")}
	vmi.Spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "root", Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusSATA}}}
	it := &instancetypev1beta1.VirtualMachineInstancetypeSpec{
		CPU: instancetypev1beta1.CPUInstancetype{Guest: 2}, Memory: instancetypev1beta1.MemoryInstancetype{Guest: quantity("128Mi")},
	}
	errs := Apply(vmi, it, virtio())
	if len(errs) != 2 {
		t.Fatalf("conflicts = %v, want cpu and memory", errs)
	}
	if vmi.Spec.Domain.Devices.Disks[0].Disk.Bus != virtv1.DiskBusSATA {
		t.Errorf("preference overrode an explicit bus")
	}

	same := twoVolumes()
	same.Spec.Domain.Memory = &virtv1.Memory{Guest: quantity("128Mi")}
	if errs := Apply(same, it, nil); len(errs) != 0 {
		t.Errorf("an equal guest memory is no conflict: %v", errs)
	}
}

func TestOvercommitAndRequirements(t *testing.T) {
	vmi := twoVolumes()
	it := &instancetypev1beta1.VirtualMachineInstancetypeSpec{
		CPU:    instancetypev1beta1.CPUInstancetype{Guest: 1},
		Memory: instancetypev1beta1.MemoryInstancetype{Guest: quantity("1Gi"), OvercommitPercent: 50},
	}
	pref := &instancetypev1beta1.VirtualMachinePreferenceSpec{Requirements: &instancetypev1beta1.PreferenceRequirements{
		CPU: &instancetypev1beta1.CPUPreferenceRequirement{Guest: 2},
	}}
	errs := Apply(vmi, it, pref)
	if len(errs) != 1 {
		t.Fatalf("errs = %v, want the CPU requirement", errs)
	}
	if got := vmi.Spec.Domain.Resources.Requests.Memory(); got.Cmp(resource.MustParse("512Mi")) != 0 {
		t.Errorf("memory request = %s, want 512Mi", got)
	}
}
