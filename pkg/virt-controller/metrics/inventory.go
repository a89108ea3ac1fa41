package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/labels"

	virtv1 "kvirt.io/api/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
)

// Annotations and labels upstream reads for the inventory metrics.
const (
	osAnnotation                  = "vm.kubevirt.io/os"
	workloadAnnotation            = "vm.kubevirt.io/workload"
	flavorAnnotation              = "vm.kubevirt.io/flavor"
	instancetypeAnnotation        = "kubevirt.io/instancetype-name"
	clusterInstancetypeAnnotation = "kubevirt.io/cluster-instancetype-name"
	preferenceAnnotation          = "kubevirt.io/preference-name"
	clusterPreferenceAnnotation   = "kubevirt.io/cluster-preference-name"
	none                          = "<none>"
)

// inventory reports kubevirt_vmi_info, kubevirt_vm_info and
// kubevirt_vmi_launcher_memory_overhead_bytes from the informer caches at scrape time.
type inventory struct {
	vmis                      virtlisters.VirtualMachineInstanceLister
	vms                       virtlisters.VirtualMachineLister
	vmiInfo, vmInfo, overhead *prometheus.Desc
}

// NewInventory returns the collector of VMI and VM inventory; vms may be nil.
func NewInventory(vmis virtlisters.VirtualMachineInstanceLister, vms virtlisters.VirtualMachineLister) prometheus.Collector {
	return &inventory{vmis: vmis, vms: vms,
		vmiInfo: prometheus.NewDesc("kubevirt_vmi_info", "Information about VirtualMachineInstances.",
			[]string{"node", "namespace", "name", "phase", "os", "workload", "flavor", "instance_type", "preference",
				"guest_os_kernel_release", "guest_os_machine", "guest_os_name", "guest_os_version_id", "evictable"}, nil),
		vmInfo: prometheus.NewDesc("kubevirt_vm_info", "Information about VirtualMachines.",
			[]string{"namespace", "name", "os", "workload", "flavor", "instance_type", "preference", "status", "status_group"}, nil),
		overhead: prometheus.NewDesc("kubevirt_vmi_launcher_memory_overhead_bytes",
			"Memory the launcher pod is given beyond the guest's (libvirt, QEMU, page tables), as the pod renderer computes it.",
			[]string{"namespace", "name"}, nil),
	}
}

func (c *inventory) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.vmiInfo
	ch <- c.vmInfo
	ch <- c.overhead
}

func (c *inventory) Collect(ch chan<- prometheus.Metric) {
	if vmis, err := c.vmis.List(labels.Everything()); err == nil {
		for _, vmi := range vmis {
			ch <- prometheus.MustNewConstMetric(c.vmiInfo, prometheus.GaugeValue, 1, vmiInfoLabels(vmi)...)
			if p := vmi.Status.Phase; p != virtv1.Succeeded && p != virtv1.Failed {
				q := launcherpod.MemoryOverhead(&vmi.Spec)
				ch <- prometheus.MustNewConstMetric(c.overhead, prometheus.GaugeValue, q.AsApproximateFloat64(),
					vmi.Namespace, vmi.Name)
			}
		}
	}
	if c.vms == nil {
		return
	}
	if vms, err := c.vms.List(labels.Everything()); err == nil {
		for _, vm := range vms {
			ch <- prometheus.MustNewConstMetric(c.vmInfo, prometheus.GaugeValue, 1, vmInfoLabels(vm)...)
		}
	}
}

func vmiInfoLabels(vmi *virtv1.VirtualMachineInstance) []string {
	a := vmi.Annotations
	os := vmi.Status.GuestOSInfo
	evictable := vmi.Spec.EvictionStrategy != nil && (*vmi.Spec.EvictionStrategy == virtv1.EvictionStrategyLiveMigrate ||
		*vmi.Spec.EvictionStrategy == virtv1.EvictionStrategyLiveMigrateIfPossible)
	return []string{vmi.Status.NodeName, vmi.Namespace, vmi.Name, orNone(string(vmi.Status.Phase)),
		orNone(a[osAnnotation]), orNone(a[workloadAnnotation]), orNone(a[flavorAnnotation]),
		orNone(first(a[instancetypeAnnotation], a[clusterInstancetypeAnnotation])),
		orNone(first(a[preferenceAnnotation], a[clusterPreferenceAnnotation])),
		os.KernelRelease, os.Machine, os.Name, os.VersionID, strconv.FormatBool(evictable)}
}

func vmInfoLabels(vm *virtv1.VirtualMachine) []string {
	var tmpl map[string]string
	if vm.Spec.Template != nil {
		tmpl = vm.Spec.Template.ObjectMeta.Annotations
	}
	pick := func(key string) string { return orNone(first(vm.Annotations[key], tmpl[key])) }
	itype, pref := none, none
	if vm.Spec.Instancetype != nil {
		itype = orNone(vm.Spec.Instancetype.Name)
	}
	if vm.Spec.Preference != nil {
		pref = orNone(vm.Spec.Preference.Name)
	}
	status := vm.Status.PrintableStatus
	return []string{vm.Namespace, vm.Name, pick(osAnnotation), pick(workloadAnnotation), pick(flavorAnnotation),
		itype, pref, orNone(string(status)), statusGroup(status)}
}

// statusGroup buckets a VM's printable status as upstream's status_group does.
func statusGroup(s virtv1.VirtualMachinePrintableStatus) string {
	switch s {
	case virtv1.VirtualMachineStatusRunning:
		return "running"
	case virtv1.VirtualMachineStatusMigrating:
		return "migrating"
	case virtv1.VirtualMachineStatusStarting, virtv1.VirtualMachineStatusProvisioning,
		virtv1.VirtualMachineStatusWaitingForVolumeBinding, virtv1.VirtualMachineStatusWaitingForReceiver:
		return "starting"
	case virtv1.VirtualMachineStatusStopped, virtv1.VirtualMachineStatusPaused, virtv1.VirtualMachineStatusStopping,
		virtv1.VirtualMachineStatusTerminating, "":
		return "non_running"
	}
	return "error"
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}
