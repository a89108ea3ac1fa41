package validating

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// minGuestMemory is the smallest memory a guest may be given (upstream: 1M).
var minGuestMemory = resource.MustParse("1Mi")

var supportedHugepageSizes = []string{"2Mi", "1Gi"}

// validateMemory checks that memory is requested and that requests, limits and
// guest memory are consistent. memoryRequired is false when an instancetype
// supplies the memory.
func validateMemory(domain *field.Path, d *virtv1.DomainSpec, memoryRequired bool) field.ErrorList {
	var errs field.ErrorList
	res := domain.Child("resources")
	req, hasReq := d.Resources.Requests[corev1.ResourceMemory]
	lim, hasLim := d.Resources.Limits[corev1.ResourceMemory]
	var guest *resource.Quantity
	var hugepages *virtv1.Hugepages
	if d.Memory != nil {
		guest, hugepages = d.Memory.Guest, d.Memory.Hugepages
	}
	if memoryRequired && !hasReq && guest == nil && hugepages == nil {
		errs = append(errs, field.Required(res.Child("requests", "memory"),
			"no memory requested: set spec.domain.memory.guest, spec.domain.memory.hugepages or spec.domain.resources.requests.memory"))
	}
	if hasReq {
		errs = append(errs, validateMinMemory(res.Child("requests", "memory"), req)...)
	}
	if hasLim {
		errs = append(errs, validateMinMemory(res.Child("limits", "memory"), lim)...)
	}
	if hasReq && hasLim && req.Cmp(lim) > 0 {
		errs = append(errs, field.Invalid(res.Child("requests", "memory"), req.String(),
			fmt.Sprintf("must be less than or equal to the memory limit %s", lim.String())))
	}
	if guest != nil {
		gp := domain.Child("memory", "guest")
		errs = append(errs, validateMinMemory(gp, *guest)...)
		if hasLim && guest.Cmp(lim) > 0 {
			errs = append(errs, field.Invalid(gp, guest.String(),
				fmt.Sprintf("must be less than or equal to the memory limit %s", lim.String())))
		}
	}
	if hugepages != nil {
		errs = append(errs, validateHugepages(domain.Child("memory", "hugepages", "pageSize"), hugepages, d)...)
	}
	return errs
}

func validateMinMemory(fld *field.Path, q resource.Quantity) field.ErrorList {
	if q.Cmp(minGuestMemory) < 0 {
		return field.ErrorList{field.Invalid(fld, q.String(), "must be at least 1Mi")}
	}
	return nil
}

func validateHugepages(fld *field.Path, hp *virtv1.Hugepages, d *virtv1.DomainSpec) field.ErrorList {
	size, err := resource.ParseQuantity(hp.PageSize)
	if err != nil || !contains(supportedHugepageSizes, hp.PageSize) {
		return field.ErrorList{field.NotSupported(fld, hp.PageSize, supportedHugepageSizes)}
	}
	mem, ok := d.Resources.Requests[corev1.ResourceMemory]
	if d.Memory != nil && d.Memory.Guest != nil {
		mem, ok = *d.Memory.Guest, true
	}
	if !ok {
		return nil
	}
	if mem.Cmp(size) < 0 || mem.Value()%size.Value() != 0 {
		return field.ErrorList{field.Invalid(fld, hp.PageSize, fmt.Sprintf("guest memory %s is not a multiple of the page size", mem.String()))}
	}
	return nil
}

// validateCPU checks CPU requests against limits and the guest topology against
// the CPU the pod may use.
func validateCPU(domain *field.Path, d *virtv1.DomainSpec) field.ErrorList {
	var errs field.ErrorList
	res := domain.Child("resources")
	req, hasReq := d.Resources.Requests[corev1.ResourceCPU]
	lim, hasLim := d.Resources.Limits[corev1.ResourceCPU]
	if hasReq && req.Sign() < 0 {
		errs = append(errs, field.Invalid(res.Child("requests", "cpu"), req.String(), "must not be negative"))
	}
	if hasLim && lim.Sign() < 0 {
		errs = append(errs, field.Invalid(res.Child("limits", "cpu"), lim.String(), "must not be negative"))
	}
	if hasReq && hasLim && req.Cmp(lim) > 0 {
		errs = append(errs, field.Invalid(res.Child("requests", "cpu"), req.String(),
			fmt.Sprintf("must be less than or equal to the CPU limit %s", lim.String())))
	}
	return append(errs, validateTopology(domain, d)...)
}

// validateTopology checks sockets, cores and threads against the CPU limit and
// maxSockets, then the dedicated-CPU rules.
func validateTopology(domain *field.Path, d *virtv1.DomainSpec) field.ErrorList {
	var errs field.ErrorList
	cpu := d.CPU
	if cpu == nil {
		return nil
	}
	lim, hasLim := d.Resources.Limits[corev1.ResourceCPU]
	cp := domain.Child("cpu")
	for _, c := range []struct {
		name string
		v    int64
	}{{"sockets", cpu.Sockets}, {"cores", cpu.Cores}, {"threads", cpu.Threads}, {"maxSockets", cpu.MaxSockets}} {
		if c.v < 0 {
			errs = append(errs, field.Invalid(cp.Child(c.name), c.v, "must not be negative"))
		}
	}
	vcpus := topologyVCPUs(cpu)
	if hasLim && vcpus > 0 && lim.Sign() > 0 && vcpus > lim.Value() {
		errs = append(errs, field.Invalid(cp, vcpus,
			fmt.Sprintf("sockets*cores*threads (%d) is more than the CPU limit %s", vcpus, lim.String())))
	}
	if cpu.MaxSockets > 0 && cpu.Sockets > cpu.MaxSockets {
		errs = append(errs, field.Invalid(cp.Child("sockets"), cpu.Sockets, "must not be more than maxSockets"))
	}
	return append(errs, validateDedicatedCPU(domain, d, vcpus)...)
}

// topologyVCPUs is sockets*cores*threads with unset members counted as 1, or 0
// when no topology is given.
func topologyVCPUs(cpu *virtv1.CPU) int64 {
	if cpu.Sockets <= 0 && cpu.Cores <= 0 && cpu.Threads <= 0 {
		return 0
	}
	n := int64(1)
	for _, v := range []int64{cpu.Sockets, cpu.Cores, cpu.Threads} {
		if v > 0 {
			n *= v
		}
	}
	return n
}

func validateDedicatedCPU(domain *field.Path, d *virtv1.DomainSpec, vcpus int64) field.ErrorList {
	cpu := d.CPU
	cp := domain.Child("cpu")
	dedicated := cpu.DedicatedCPUPlacement != nil && *cpu.DedicatedCPUPlacement
	var errs field.ErrorList
	if !dedicated {
		if cpu.IsolateEmulatorThread != nil && *cpu.IsolateEmulatorThread {
			errs = append(errs, field.Invalid(cp.Child("isolateEmulatorThread"), true, "needs dedicatedCpuPlacement"))
		}
		if cpu.Realtime != nil {
			errs = append(errs, field.Invalid(cp.Child("realtime"), "", "needs dedicatedCpuPlacement"))
		}
		return errs
	}
	req, hasReq := d.Resources.Requests[corev1.ResourceCPU]
	lim, hasLim := d.Resources.Limits[corev1.ResourceCPU]
	res := domain.Child("resources")
	if hasReq && req.MilliValue()%1000 != 0 {
		errs = append(errs, field.Invalid(res.Child("requests", "cpu"), req.String(), "dedicated CPUs need a whole number of CPUs"))
	}
	if hasReq && hasLim && req.Cmp(lim) != 0 {
		errs = append(errs, field.Invalid(res.Child("requests", "cpu"), req.String(), "dedicated CPUs need requests equal to limits"))
	}
	if hasReq && vcpus > 0 && req.MilliValue()%1000 == 0 && vcpus != req.Value() {
		errs = append(errs, field.Invalid(cp, vcpus, fmt.Sprintf("with dedicated CPUs sockets*cores*threads must equal the %s CPUs requested", req.String())))
	}
	return errs
}
