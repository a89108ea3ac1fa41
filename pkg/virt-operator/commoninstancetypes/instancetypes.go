package commoninstancetypes

import (
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// Labels upstream's common-instancetypes put on every object.
const (
	LabelVendor  = "instancetype.kubevirt.io/vendor"
	VendorValue  = "kubevirt.io"
	LabelVersion = "instancetype.kubevirt.io/common-instancetypes-version"
	// Version is the common-instancetypes release whose values these are.
	Version = "v1.7.0"

	labelPrefix = "instancetype.kubevirt.io/"
)

// size is one instancetype of a series: its size name, vCPUs and memory.
type size struct {
	name   string
	cpu    int64
	memory string
}

// series describes one family: its name prefix, class and display labels, and
// what sets it apart from u1.
type series struct {
	prefix, class, displayName, icon, description string
	sizes                                         []size
	// hugepages are the page sizes each size is offered with: "2Mi" keeps the
	// plain name, "1Gi" adds a "1gi" suffix to the size name.
	hugepages   []string
	dedicated   bool  // dedicated CPUs and an isolated emulator thread
	numa        bool  // guest NUMA mapped from the host, maxSockets = vCPUs
	ioThreads   bool  // ioThreadsPolicy auto
	overcommit  int32 // memory overcommit percent
	crioNoQuota bool  // the CRI-O annotations that keep dedicated CPUs quiet
}

var generalSizes = []size{
	{"nano", 1, "512Mi"}, {"micro", 1, "1Gi"}, {"small", 1, "2Gi"}, {"medium", 1, "4Gi"},
	{"large", 2, "8Gi"}, {"xlarge", 4, "16Gi"}, {"2xlarge", 8, "32Gi"}, {"4xlarge", 16, "64Gi"}, {"8xlarge", 32, "128Gi"},
}

func allSeries() []series {
	return []series{
		{prefix: "cx1", class: "compute.exclusive", displayName: "Compute Exclusive", icon: "pficon-registry",
			description: "The CX Series provides exclusive compute resources for compute intensive applications.",
			sizes: []size{{"medium", 1, "2Gi"}, {"large", 2, "4Gi"}, {"xlarge", 4, "8Gi"}, {"2xlarge", 8, "16Gi"},
				{"4xlarge", 16, "32Gi"}, {"8xlarge", 32, "64Gi"}},
			hugepages: []string{"2Mi", "1Gi"}, dedicated: true, numa: true, ioThreads: true},
		{prefix: "m1", class: "memory.intensive", displayName: "Memory Intensive", icon: "fa-memory",
			description: "The M Series provides resources for memory intensive applications.",
			sizes: []size{{"large", 2, "16Gi"}, {"xlarge", 4, "32Gi"}, {"2xlarge", 8, "64Gi"}, {"4xlarge", 16, "128Gi"},
				{"8xlarge", 32, "256Gi"}},
			hugepages: []string{"2Mi", "1Gi"}},
		{prefix: "n1", class: "network", displayName: "Network", icon: "pficon-network",
			description: "The N Series provides resources for network intensive DPDK applications, like VNFs.",
			sizes: []size{{"medium", 4, "4Gi"}, {"large", 4, "8Gi"}, {"xlarge", 8, "16Gi"}, {"2xlarge", 16, "32Gi"},
				{"4xlarge", 32, "64Gi"}, {"8xlarge", 64, "128Gi"}},
			hugepages: []string{"1Gi-plain"}, dedicated: true, crioNoQuota: true},
		{prefix: "o1", class: "overcommitted", displayName: "Overcommitted", icon: "pficon-virtual-machine",
			description: "The O Series is based on the U Series, with the only difference being that memory is overcommitted.",
			sizes:       generalSizes, overcommit: 50},
		{prefix: "u1", class: "general.purpose", displayName: "General Purpose", icon: "pficon-server-group",
			description: "The U Series is quite neutral and provides resources for general purpose applications.",
			sizes:       append(append([]size{}, generalSizes[:4]...), append([]size{{"2xmedium", 2, "4Gi"}}, generalSizes[4:]...)...)},
	}
}

// Instancetypes are the common VirtualMachineClusterInstancetypes, by series and size.
func Instancetypes() []*instancetypev1beta1.VirtualMachineClusterInstancetype {
	var out []*instancetypev1beta1.VirtualMachineClusterInstancetype
	for _, s := range allSeries() {
		pages := s.hugepages
		if len(pages) == 0 {
			pages = []string{""}
		}
		for _, sz := range s.sizes {
			for _, page := range pages {
				out = append(out, s.instancetype(sz, page))
			}
		}
	}
	return out
}

func (s series) instancetype(sz size, page string) *instancetypev1beta1.VirtualMachineClusterInstancetype {
	sizeName := sz.name
	switch page {
	case "1Gi":
		sizeName += "1gi"
	case "1Gi-plain": // n1 offers 1Gi pages under the plain name
		page = "1Gi"
	}
	mem := resource.MustParse(sz.memory)
	labels := map[string]string{
		labelPrefix + "class": s.class, labelPrefix + "cpu": strconv.FormatInt(sz.cpu, 10),
		labelPrefix + "icon-pf": s.icon, labelPrefix + "memory": sz.memory, labelPrefix + "size": sizeName,
		labelPrefix + "version": "1", LabelVendor: VendorValue, LabelVersion: Version,
	}
	spec := instancetypev1beta1.VirtualMachineInstancetypeSpec{
		CPU:    instancetypev1beta1.CPUInstancetype{Guest: sz.cpu},
		Memory: instancetypev1beta1.MemoryInstancetype{Guest: &mem},
	}
	if page != "" {
		spec.Memory.Hugepages = &virtv1.Hugepages{PageSize: page}
		labels[labelPrefix+"hugepages"] = page
	}
	if s.overcommit != 0 {
		spec.Memory.OvercommitPercent = s.overcommit
	}
	s.exclusive(&spec, sz, labels)
	return &instancetypev1beta1.VirtualMachineClusterInstancetype{
		TypeMeta: metav1.TypeMeta{APIVersion: instancetypev1beta1.SchemeGroupVersion.String(), Kind: "VirtualMachineClusterInstancetype"},
		ObjectMeta: metav1.ObjectMeta{Name: s.prefix + "." + sizeName, Labels: labels, Annotations: map[string]string{
			labelPrefix + "description": s.description, labelPrefix + "displayName": s.displayName,
		}},
		Spec: spec,
	}
}

// exclusive adds what the dedicated series (cx1, n1) set.
func (s series) exclusive(spec *instancetypev1beta1.VirtualMachineInstancetypeSpec, sz size, labels map[string]string) {
	if s.dedicated {
		spec.CPU.DedicatedCPUPlacement = ptrTrue()
		spec.CPU.IsolateEmulatorThread = ptrTrue()
		labels[labelPrefix+"dedicatedCPUPlacement"] = "true"
		labels[labelPrefix+"isolateEmulatorThread"] = "true"
	}
	if s.numa {
		spec.CPU.NUMA = &virtv1.NUMA{GuestMappingPassthrough: &virtv1.NUMAGuestMappingPassthrough{}}
		spec.CPU.MaxSockets = sz.cpu
		labels[labelPrefix+"numa"] = "true"
	}
	if s.ioThreads {
		spec.IOThreadsPolicy = "auto"
	}
	if s.crioNoQuota {
		spec.Annotations = map[string]string{
			"cpu-load-balancing.crio.io": "disable", "cpu-quota.crio.io": "disable", "irq-load-balancing.crio.io": "disable",
		}
	}
}

func ptrTrue() *bool { t := true; return &t }
