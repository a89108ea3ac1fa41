package mutating

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/finalizer"
	"kvirt.io/kvirt/pkg/launcheruser"
)

// DefaultVMI applies every create-time default to vmi in place: spec defaults,
// the deletion finalizer and phase Pending stamped with now.
func DefaultVMI(vmi *virtv1.VirtualMachineInstance, cfg Config, now metav1.Time, newUUID func() string) {
	s := &vmi.Spec
	if s.Architecture == "" {
		s.Architecture = cfg.Architecture
	}
	if s.Domain.Machine == nil || s.Domain.Machine.Type == "" {
		s.Domain.Machine = &virtv1.Machine{Type: cfg.machineType(s.Architecture)}
	}
	defaultCPU(&s.Domain, cfg)
	defaultMemory(&s.Domain)
	defaultDisks(s)
	defaultNetwork(s, cfg)
	defaultFirmware(&s.Domain, newUUID)
	defaultProbe(s.LivenessProbe)
	defaultProbe(s.ReadinessProbe)
	for i := range s.Domain.Devices.Inputs {
		in := &s.Domain.Devices.Inputs[i]
		if in.Bus == "" {
			in.Bus = "usb"
		}
	}
	for i := range s.Volumes {
		if cd := s.Volumes[i].ContainerDisk; cd != nil && cd.ImagePullPolicy == "" {
			cd.ImagePullPolicy = pullPolicyFor(cd.Image)
		}
	}
	if s.TerminationGracePeriodSeconds == nil {
		s.TerminationGracePeriodSeconds = ptr.To(DefaultGracePeriodSeconds)
	}
	if s.EvictionStrategy == nil && cfg.EvictionStrategy != "" {
		s.EvictionStrategy = ptr.To(virtv1.EvictionStrategy(cfg.EvictionStrategy))
	}
	finalizer.Add(vmi, virtv1.VirtualMachineInstanceFinalizer)
	if vmi.Status.Phase == virtv1.VmPhaseUnset {
		vmi.Status.Phase = virtv1.Pending
		vmi.Status.PhaseTransitionTimestamps = append(vmi.Status.PhaseTransitionTimestamps,
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: virtv1.Pending, PhaseTransitionTimestamp: &now})
	}
	// After the network defaults: a defaulted bridge interface needs a root launcher.
	vmi.Status.RuntimeUser = launcheruser.ForVMI(vmi)
}

// defaultCPU lays out vCPUs as sockets when no topology is given, sets the CPU
// model and copies a CPU limit to the request when only the limit is set.
func defaultCPU(d *virtv1.DomainSpec, cfg Config) {
	if d.CPU == nil {
		d.CPU = &virtv1.CPU{}
	}
	c := d.CPU
	if c.Sockets == 0 && c.Cores == 0 && c.Threads == 0 {
		c.Sockets, c.Cores, c.Threads = 1, 1, 1
		if q, ok := cpuQuantity(d.Resources); ok && q.Value() > 0 {
			c.Sockets = q.Value()
		}
	}
	if c.Model == "" {
		c.Model = DefaultCPUModel
		if cfg.CPUModel != "" {
			c.Model = cfg.CPUModel
		}
	}
	lim, hasLim := d.Resources.Limits[corev1.ResourceCPU]
	if _, hasReq := d.Resources.Requests[corev1.ResourceCPU]; hasLim && !hasReq {
		if d.Resources.Requests == nil {
			d.Resources.Requests = corev1.ResourceList{}
		}
		d.Resources.Requests[corev1.ResourceCPU] = lim.DeepCopy()
	}
}

// cpuQuantity is the CPU limit, else the CPU request.
func cpuQuantity(r virtv1.ResourceRequirements) (resource.Quantity, bool) {
	if q, ok := r.Limits[corev1.ResourceCPU]; ok {
		return q, true
	}
	q, ok := r.Requests[corev1.ResourceCPU]
	return q, ok
}

// defaultMemory sets memory.guest from the memory request, else the limit.
func defaultMemory(d *virtv1.DomainSpec) {
	if d.Memory != nil && d.Memory.Guest != nil {
		return
	}
	q, ok := d.Resources.Requests[corev1.ResourceMemory]
	if !ok {
		q, ok = d.Resources.Limits[corev1.ResourceMemory]
	}
	if !ok {
		return
	}
	if d.Memory == nil {
		d.Memory = &virtv1.Memory{}
	}
	d.Memory.Guest = ptr.To(q.DeepCopy())
}

// defaultDisks gives every volume a disk, every disk a target, every target a bus,
// and makes cdroms read-only with a closed tray.
func defaultDisks(s *virtv1.VirtualMachineInstanceSpec) {
	devices := &s.Domain.Devices
	used := map[string]bool{}
	for _, d := range devices.Disks {
		used[d.Name] = true
	}
	for _, f := range devices.Filesystems {
		used[f.Name] = true
	}
	for _, v := range s.Volumes {
		if !used[v.Name] {
			devices.Disks = append(devices.Disks, virtv1.Disk{Name: v.Name})
		}
	}
	bus := virtv1.DiskBusVirtio
	if s.Architecture == archAMD64 {
		bus = virtv1.DiskBusSATA
	}
	for i := range devices.Disks {
		d := &devices.Disks[i]
		switch {
		case d.Cdrom != nil:
			if d.Cdrom.Bus == "" {
				d.Cdrom.Bus = bus
			}
			if d.Cdrom.Readonly == nil {
				d.Cdrom.Readonly = ptr.To(true)
			}
			if d.Cdrom.Tray == "" {
				d.Cdrom.Tray = "closed"
			}
		case d.LUN != nil:
			if d.LUN.Bus == "" {
				d.LUN.Bus = bus
			}
		default:
			if d.Disk == nil {
				d.Disk = &virtv1.DiskTarget{}
			}
			if d.Disk.Bus == "" {
				d.Disk.Bus = bus
			}
		}
	}
}

// defaultNetwork adds the pod network with the cluster's default binding when a
// VMI has neither networks nor interfaces and does not opt out.
func defaultNetwork(s *virtv1.VirtualMachineInstanceSpec, cfg Config) {
	devices := &s.Domain.Devices
	if len(s.Networks) > 0 || len(devices.Interfaces) > 0 {
		return
	}
	if devices.AutoattachPodInterface != nil && !*devices.AutoattachPodInterface {
		return
	}
	iface := virtv1.Interface{Name: "default"}
	if cfg.DefaultNetworkInterface == bindingMasquerade {
		iface.Masquerade = &virtv1.InterfaceMasquerade{}
	} else {
		iface.Bridge = &virtv1.InterfaceBridge{}
	}
	devices.Interfaces = []virtv1.Interface{iface}
	s.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
}

func defaultFirmware(d *virtv1.DomainSpec, newUUID func() string) {
	if d.Firmware == nil {
		d.Firmware = &virtv1.Firmware{}
	}
	if d.Firmware.UUID == "" && newUUID != nil {
		d.Firmware.UUID = newUUID()
	}
}

func defaultProbe(p *virtv1.Probe) {
	if p == nil {
		return
	}
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 1
	}
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = 10
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 3
	}
}

// pullPolicyFor is Always for untagged or :latest images, else IfNotPresent.
func pullPolicyFor(image string) corev1.PullPolicy {
	if strings.Contains(image, "@") {
		return corev1.PullIfNotPresent
	}
	last := image[strings.LastIndex(image, "/")+1:]
	tag := ""
	if i := strings.LastIndex(last, ":"); i >= 0 {
		tag = last[i+1:]
	}
	if tag == "" || tag == "latest" {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}
