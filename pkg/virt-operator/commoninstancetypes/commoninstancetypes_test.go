package commoninstancetypes

import (
	"strconv"
	"testing"
)

// TestInstancetypes checks the published sizes of each series (vCPUs and
// memory as upstream's common-instancetypes list them) and their labels.
func TestInstancetypes(t *testing.T) {
	got := map[string]string{}
	for _, it := range Instancetypes() {
		got[it.Name] = strconv.FormatInt(it.Spec.CPU.Guest, 10) + "/" + it.Spec.Memory.Guest.String()
		if it.Labels[LabelVendor] != VendorValue || it.Labels[LabelVersion] != Version || it.Kind != "VirtualMachineClusterInstancetype" {
			t.Errorf("%s: labels %v kind %q", it.Name, it.Labels, it.Kind)
		}
	}
	for name, want := range map[string]string{
		"u1.nano": "1/512Mi", "u1.micro": "1/1Gi", "u1.small": "1/2Gi", "u1.medium": "1/4Gi", "u1.2xmedium": "2/4Gi",
		"u1.large": "2/8Gi", "u1.xlarge": "4/16Gi", "u1.2xlarge": "8/32Gi", "u1.4xlarge": "16/64Gi", "u1.8xlarge": "32/128Gi",
		"o1.nano": "1/512Mi", "o1.small": "1/2Gi", "o1.8xlarge": "32/128Gi",
		"cx1.medium": "1/2Gi", "cx1.large": "2/4Gi", "cx1.8xlarge": "32/64Gi", "cx1.large1gi": "2/4Gi",
		"m1.large": "2/16Gi", "m1.8xlarge": "32/256Gi", "m1.xlarge1gi": "4/32Gi",
		"n1.medium": "4/4Gi", "n1.large": "4/8Gi", "n1.8xlarge": "64/128Gi",
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
	if len(got) != 10+9+12+10+6 {
		t.Errorf("%d instancetypes, want 47: %v", len(got), got)
	}
}

// TestSeriesTraits checks what sets each series apart.
func TestSeriesTraits(t *testing.T) {
	byName := map[string]int{}
	its := Instancetypes()
	for i, it := range its {
		byName[it.Name] = i
	}
	o1, cx1, m1, n1, u1 := its[byName["o1.small"]], its[byName["cx1.large1gi"]], its[byName["m1.large"]], its[byName["n1.large"]], its[byName["u1.small"]]
	if o1.Spec.Memory.OvercommitPercent != 50 {
		t.Errorf("o1 overcommit %d, want 50", o1.Spec.Memory.OvercommitPercent)
	}
	if c := cx1.Spec.CPU; c.DedicatedCPUPlacement == nil || !*c.DedicatedCPUPlacement || c.IsolateEmulatorThread == nil ||
		c.NUMA == nil || c.MaxSockets != 2 || cx1.Spec.Memory.Hugepages.PageSize != "1Gi" || cx1.Spec.IOThreadsPolicy != "auto" {
		t.Errorf("cx1.large1gi spec %+v", cx1.Spec)
	}
	if m1.Spec.Memory.Hugepages == nil || m1.Spec.Memory.Hugepages.PageSize != "2Mi" || m1.Spec.CPU.DedicatedCPUPlacement != nil {
		t.Errorf("m1.large spec %+v", m1.Spec)
	}
	if n1.Spec.Memory.Hugepages.PageSize != "1Gi" || n1.Spec.Annotations["cpu-quota.crio.io"] != "disable" || n1.Spec.CPU.NUMA != nil {
		t.Errorf("n1.large spec %+v", n1.Spec)
	}
	if u1.Spec.Memory.Hugepages != nil || u1.Spec.CPU.DedicatedCPUPlacement != nil || u1.Labels["instancetype.kubevirt.io/class"] != "general.purpose" {
		t.Errorf("u1.small %+v %v", u1.Spec, u1.Labels)
	}
}

func TestPreferences(t *testing.T) {
	prefs, err := Preferences()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, p := range prefs {
		byName[p.Name] = i
		if p.Labels[LabelVendor] != VendorValue || p.Kind != "VirtualMachineClusterPreference" {
			t.Errorf("%s: labels %v kind %q", p.Name, p.Labels, p.Kind)
		}
	}
	for _, name := range []string{"alpine", "centos.stream9", "cirros", "fedora", "rhel.9", "ubuntu", "windows.10"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("preference %s missing", name)
		}
	}
	alpine := prefs[byName["alpine"]].Spec
	if alpine.Devices.PreferredDiskBus != "virtio" || alpine.Devices.PreferredRNG == nil || alpine.Requirements.Memory.Guest.String() != "512Mi" {
		t.Errorf("alpine %+v", alpine)
	}
	win := prefs[byName["windows.10"]].Spec
	if win.Features.PreferredHyperv == nil || win.Firmware.PreferredEFI == nil || *win.PreferredTerminationGracePeriodSeconds != 3600 {
		t.Errorf("windows.10 %+v", win)
	}
}
