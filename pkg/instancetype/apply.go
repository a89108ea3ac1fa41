package instancetype

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// specPath is where VMI template fields live in a VM, for conflict messages.
var specPath = field.NewPath("spec", "template", "spec")

// Apply expands an instancetype (authoritative: a VMI field it sets must be unset
// or equal, else it is a conflict) and a preference (only fills unset fields) into
// vmi, after adding the missing devices. Either may be nil. It returns every
// conflict at once; vmi is unusable when there are any.
func Apply(vmi *virtv1.VirtualMachineInstance, it *instancetypev1beta1.VirtualMachineInstancetypeSpec,
	pref *instancetypev1beta1.VirtualMachinePreferenceSpec) field.ErrorList {
	spec := &vmi.Spec
	AddMissingDevices(spec)
	var errs field.ErrorList
	if it != nil {
		errs = append(errs, applyCPU(spec, it, pref)...)
		errs = append(errs, applyMemory(spec, it)...)
		errs = append(errs, applyPlacement(spec, it)...)
		vmi.Annotations = mergeAnnotations(vmi.Annotations, it.Annotations)
	}
	if pref != nil {
		applyPreference(spec, pref)
		vmi.Annotations = mergeAnnotations(vmi.Annotations, pref.Annotations)
		errs = append(errs, checkRequirements(spec, pref)...)
	}
	return errs
}

func hasTopology(c *virtv1.CPU) bool {
	return c != nil && (c.Sockets > 0 || c.Cores > 0 || c.Threads > 0)
}

func applyCPU(spec *virtv1.VirtualMachineInstanceSpec, it *instancetypev1beta1.VirtualMachineInstancetypeSpec,
	pref *instancetypev1beta1.VirtualMachinePreferenceSpec) field.ErrorList {
	var errs field.ErrorList
	cpuPath := specPath.Child("domain", "cpu")
	if spec.Domain.CPU == nil {
		spec.Domain.CPU = &virtv1.CPU{}
	}
	c := spec.Domain.CPU
	if hasTopology(c) {
		errs = append(errs, field.Forbidden(cpuPath, "vCPU topology is set by the instancetype"))
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU} {
		if _, ok := spec.Domain.Resources.Requests[name]; ok {
			errs = append(errs, field.Forbidden(specPath.Child("domain", "resources", "requests", string(name)), "set by the instancetype"))
		}
		if _, ok := spec.Domain.Resources.Limits[name]; ok {
			errs = append(errs, field.Forbidden(specPath.Child("domain", "resources", "limits", string(name)), "set by the instancetype"))
		}
	}
	topo := Topology(it.CPU.Guest, pref)
	c.Sockets, c.Cores, c.Threads = topo.Sockets, topo.Cores, topo.Threads
	errs = append(errs, setString(&c.Model, it.CPU.Model, cpuPath.Child("model"))...)
	errs = append(errs, setBool(&c.DedicatedCPUPlacement, it.CPU.DedicatedCPUPlacement, cpuPath.Child("dedicatedCpuPlacement"))...)
	errs = append(errs, setBool(&c.IsolateEmulatorThread, it.CPU.IsolateEmulatorThread, cpuPath.Child("isolateEmulatorThread"))...)
	if it.CPU.MaxSockets > 0 {
		c.MaxSockets = it.CPU.MaxSockets
	}
	if it.CPU.NUMA != nil {
		c.NUMA = it.CPU.NUMA.DeepCopy()
	}
	if it.CPU.Realtime != nil {
		c.Realtime = it.CPU.Realtime.DeepCopy()
	}
	return errs
}

func applyMemory(spec *virtv1.VirtualMachineInstanceSpec, it *instancetypev1beta1.VirtualMachineInstancetypeSpec) field.ErrorList {
	var errs field.ErrorList
	memPath := specPath.Child("domain", "memory")
	if spec.Domain.Memory == nil {
		spec.Domain.Memory = &virtv1.Memory{}
	}
	m := spec.Domain.Memory
	if it.Memory.Guest != nil {
		if m.Guest != nil && m.Guest.Cmp(*it.Memory.Guest) != 0 {
			errs = append(errs, field.Invalid(memPath.Child("guest"), m.Guest.String(),
				fmt.Sprintf("the instancetype sets %s", it.Memory.Guest.String())))
		}
		g := it.Memory.Guest.DeepCopy()
		m.Guest = &g
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceMemory} {
		if _, ok := spec.Domain.Resources.Requests[name]; ok {
			errs = append(errs, field.Forbidden(specPath.Child("domain", "resources", "requests", string(name)), "set by the instancetype"))
		}
	}
	if it.Memory.Hugepages != nil {
		m.Hugepages = it.Memory.Hugepages.DeepCopy()
	}
	if it.Memory.MaxGuest != nil {
		q := it.Memory.MaxGuest.DeepCopy()
		m.MaxGuest = &q
	}
	if pct := it.Memory.OvercommitPercent; pct > 0 && m.Guest != nil {
		if spec.Domain.Resources.Requests == nil {
			spec.Domain.Resources.Requests = corev1.ResourceList{}
		}
		spec.Domain.Resources.Requests[corev1.ResourceMemory] = *resource.NewQuantity(
			m.Guest.Value()*int64(100-pct)/100, resource.BinarySI)
	}
	return errs
}

func applyPlacement(spec *virtv1.VirtualMachineInstanceSpec, it *instancetypev1beta1.VirtualMachineInstancetypeSpec) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, setString(&spec.SchedulerName, it.SchedulerName, specPath.Child("schedulerName"))...)
	errs = append(errs, setString(&spec.Domain.IOThreadsPolicy, it.IOThreadsPolicy, specPath.Child("domain", "ioThreadsPolicy"))...)
	if it.IOThreads != nil {
		spec.Domain.IOThreads = it.IOThreads.DeepCopy()
	}
	if it.LaunchSecurity != nil {
		if spec.Domain.LaunchSecurity != nil {
			errs = append(errs, field.Forbidden(specPath.Child("domain", "launchSecurity"), "set by the instancetype"))
		}
		spec.Domain.LaunchSecurity = it.LaunchSecurity.DeepCopy()
	}
	if len(it.NodeSelector) > 0 {
		if len(spec.NodeSelector) > 0 {
			errs = append(errs, field.Forbidden(specPath.Child("nodeSelector"), "set by the instancetype"))
		}
		spec.NodeSelector = map[string]string{}
		for k, v := range it.NodeSelector {
			spec.NodeSelector[k] = v
		}
	}
	for _, g := range it.GPUs {
		spec.Domain.Devices.GPUs = append(spec.Domain.Devices.GPUs, *g.DeepCopy())
	}
	for _, h := range it.HostDevices {
		spec.Domain.Devices.HostDevices = append(spec.Domain.Devices.HostDevices, *h.DeepCopy())
	}
	return errs
}

func setString(dst *string, val string, path *field.Path) field.ErrorList {
	if val == "" {
		return nil
	}
	if *dst != "" && *dst != val {
		return field.ErrorList{field.Invalid(path, *dst, "the instancetype sets "+val)}
	}
	*dst = val
	return nil
}

func setBool(dst **bool, val *bool, path *field.Path) field.ErrorList {
	if val == nil {
		return nil
	}
	if *dst != nil && **dst != *val {
		return field.ErrorList{field.Invalid(path, **dst, fmt.Sprintf("the instancetype sets %v", *val))}
	}
	v := *val
	*dst = &v
	return nil
}

func mergeAnnotations(dst, src map[string]string) map[string]string {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]string{}
	}
	for k, v := range src {
		if _, ok := dst[k]; !ok {
			dst[k] = v
		}
	}
	return dst
}
