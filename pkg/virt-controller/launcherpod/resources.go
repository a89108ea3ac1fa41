package launcherpod

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
)

// Memory overhead of one launcher pod, on top of what the guest sees. The fixed
// part keeps upstream's budget for the processes a launcher runs (launcher 100Mi,
// its monitor 25Mi, virtqemud 40Mi, virtlogd 25Mi, QEMU itself 50Mi).
var (
	fixedOverhead    = resource.MustParse("240Mi")
	perVCPUOverhead  = resource.MustParse("8Mi")
	graphicsOverhead = resource.MustParse("16Mi")
)

// pageTableDivisor: the guest's page tables cost one byte per 512 bytes of guest RAM
// (8-byte entries for 4 KiB pages).
const pageTableDivisor = 512

// VCPUs is the number of virtual CPUs of the VMI: the product of its topology when
// one is set, else its CPU limit or request rounded up, else 1.
func VCPUs(spec *virtv1.VirtualMachineInstanceSpec) int64 {
	if c := spec.Domain.CPU; c != nil && (c.Sockets > 0 || c.Cores > 0 || c.Threads > 0) {
		return atLeastOne(c.Sockets) * atLeastOne(c.Cores) * atLeastOne(c.Threads)
	}
	res := spec.Domain.Resources
	for _, list := range []corev1.ResourceList{res.Limits, res.Requests} {
		if q, ok := list[corev1.ResourceCPU]; ok && !q.IsZero() {
			return atLeastOne((q.MilliValue() + 999) / 1000)
		}
	}
	return 1
}

func atLeastOne(n int64) int64 {
	if n < 1 {
		return 1
	}
	return n
}

// GuestMemory is the memory the guest is given: domain.memory.guest, else the
// memory request, else the memory limit; zero when none is set.
func GuestMemory(spec *virtv1.VirtualMachineInstanceSpec) resource.Quantity {
	if m := spec.Domain.Memory; m != nil && m.Guest != nil {
		return m.Guest.DeepCopy()
	}
	res := spec.Domain.Resources
	for _, list := range []corev1.ResourceList{res.Requests, res.Limits} {
		if q, ok := list[corev1.ResourceMemory]; ok {
			return q.DeepCopy()
		}
	}
	return resource.Quantity{}
}

// MemoryOverhead is what the launcher pod needs beyond guest memory:
//
//	240Mi fixed + 8Mi per vCPU + guest/512 (page tables) + 16Mi with a graphics device
//	+ domain.memory.reservedOverhead.addedOverhead
func MemoryOverhead(spec *virtv1.VirtualMachineInstanceSpec) resource.Quantity {
	total := fixedOverhead.DeepCopy()
	perVCPU := perVCPUOverhead.DeepCopy()
	for i := int64(0); i < VCPUs(spec); i++ {
		total.Add(perVCPU)
	}
	guest := GuestMemory(spec)
	if m := spec.Domain.Memory; m != nil && m.MaxGuest != nil && m.MaxGuest.Cmp(guest) > 0 {
		guest = m.MaxGuest.DeepCopy()
	}
	total.Add(*resource.NewQuantity((guest.Value()+pageTableDivisor-1)/pageTableDivisor, resource.BinarySI))
	if a := spec.Domain.Devices.AutoattachGraphicsDevice; a == nil || *a {
		total.Add(graphicsOverhead)
	}
	if m := spec.Domain.Memory; m != nil && m.ReservedOverhead != nil && m.ReservedOverhead.AddedOverhead != nil {
		total.Add(*m.ReservedOverhead.AddedOverhead)
	}
	return *resource.NewQuantity(total.Value(), resource.BinarySI)
}

// computeResources renders the compute container's requests and limits.
func computeResources(spec *virtv1.VirtualMachineInstanceSpec, cfg Config) corev1.ResourceRequirements {
	req, lim := corev1.ResourceList{}, corev1.ResourceList{}
	res := spec.Domain.Resources
	overhead := MemoryOverhead(spec)

	mem := overhead.DeepCopy()
	hugepages := hugepageResource(spec)
	if hugepages == "" {
		if q, ok := res.Requests[corev1.ResourceMemory]; ok {
			mem.Add(q)
		} else {
			mem.Add(GuestMemory(spec))
		}
	} else {
		guest := GuestMemory(spec)
		req[hugepages], lim[hugepages] = guest.DeepCopy(), guest.DeepCopy()
	}
	req[corev1.ResourceMemory] = mem
	if q, ok := res.Limits[corev1.ResourceMemory]; ok {
		l := q.DeepCopy()
		l.Add(overhead)
		lim[corev1.ResourceMemory] = l
	}

	req[corev1.ResourceCPU] = resource.MustParse(cfg.CPURequest)
	if q, ok := res.Requests[corev1.ResourceCPU]; ok {
		req[corev1.ResourceCPU] = q.DeepCopy()
	}
	if q, ok := res.Limits[corev1.ResourceCPU]; ok {
		lim[corev1.ResourceCPU] = q.DeepCopy()
	}
	if dedicatedCPUs(spec) {
		// Dedicated CPUs need Guaranteed QoS: whole CPUs, limits equal to requests.
		cpus := *resource.NewQuantity(VCPUs(spec), resource.DecimalSI)
		req[corev1.ResourceCPU], lim[corev1.ResourceCPU] = cpus, cpus.DeepCopy()
		lim[corev1.ResourceMemory] = req[corev1.ResourceMemory].DeepCopy()
	}
	addDevices(spec, cfg, req, lim)
	return corev1.ResourceRequirements{Requests: req, Limits: lim}
}

func dedicatedCPUs(spec *virtv1.VirtualMachineInstanceSpec) bool {
	c := spec.Domain.CPU
	return c != nil && c.DedicatedCPUPlacement != nil && *c.DedicatedCPUPlacement
}

func hugepageResource(spec *virtv1.VirtualMachineInstanceSpec) corev1.ResourceName {
	m := spec.Domain.Memory
	if m == nil || m.Hugepages == nil || m.Hugepages.PageSize == "" {
		return ""
	}
	return corev1.ResourceName(corev1.ResourceHugePagesPrefix + m.Hugepages.PageSize)
}

// addDevices requests the node devices: KVM (unless emulation is allowed), tun and
// vhost-net for networking, and one unit of each GPU or host device's resource.
// Extended resources must have limits equal to requests.
func addDevices(spec *virtv1.VirtualMachineInstanceSpec, cfg Config, req, lim corev1.ResourceList) {
	counts := map[corev1.ResourceName]int64{}
	if !cfg.AllowEmulation {
		counts[KVMDevice] = 1
	}
	counts[TunDevice] = 1
	counts[VhostNetDevice] = 1
	for _, g := range spec.Domain.Devices.GPUs {
		if g.DeviceName != "" {
			counts[corev1.ResourceName(g.DeviceName)]++
		}
	}
	for _, h := range spec.Domain.Devices.HostDevices {
		if h.DeviceName != "" {
			counts[corev1.ResourceName(h.DeviceName)]++
		}
	}
	for name, n := range counts {
		req[name] = *resource.NewQuantity(n, resource.DecimalSI)
		lim[name] = *resource.NewQuantity(n, resource.DecimalSI)
	}
}
