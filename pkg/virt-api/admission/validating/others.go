package validating

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

var (
	supportedTopologies = []string{
		string(instancetypev1beta1.Sockets), string(instancetypev1beta1.Cores), string(instancetypev1beta1.Threads),
		string(instancetypev1beta1.Spread), string(instancetypev1beta1.Any),
	}
	supportedNetworkBindings = []string{"bridge", "masquerade"}
	supportedPullPolicies    = []string{string(corev1.PullAlways), string(corev1.PullIfNotPresent), string(corev1.PullNever)}
	supportedUpdateMethods   = []string{"LiveMigrate", "Evict"}
)

// VMIFinder returns the named VMI of the namespace of the object validated, or
// nil when there is none.
type VMIFinder func(name string) (*virtv1.VirtualMachineInstance, error)

// ValidateMigration validates a VirtualMachineInstanceMigration on create: it
// must name a VMI of its own namespace that exists, has not finished, and is
// not marked non-migratable by its LiveMigratable condition.
func ValidateMigration(m *virtv1.VirtualMachineInstanceMigration, findVMI VMIFinder) field.ErrorList {
	fld := field.NewPath("spec", "vmiName")
	if m.Spec.VMIName == "" {
		return field.ErrorList{field.Required(fld, "a migration must name the VirtualMachineInstance to migrate")}
	}
	if findVMI == nil {
		return nil
	}
	vmi, err := findVMI(m.Spec.VMIName)
	if err != nil {
		return field.ErrorList{field.InternalError(fld, fmt.Errorf("look up vmi %s: %w", m.Spec.VMIName, err))}
	}
	if vmi == nil {
		return field.ErrorList{field.NotFound(fld, m.Spec.VMIName)}
	}
	if vmi.Status.Phase.IsFinal() {
		return field.ErrorList{field.Forbidden(fld, fmt.Sprintf("cannot migrate VMI %s: it has finished (%s)",
			vmi.Name, vmi.Status.Phase))}
	}
	for _, c := range vmi.Status.Conditions {
		if c.Type == virtv1.VirtualMachineInstanceIsMigratable && c.Status == string(corev1.ConditionFalse) {
			return field.ErrorList{field.Forbidden(fld, fmt.Sprintf("cannot migrate VMI %s, reason: %s, message: %s",
				vmi.Name, c.Reason, c.Message))}
		}
	}
	return nil
}

// ValidateMigrationUpdate forbids changing a migration's spec.
func ValidateMigrationUpdate(oldM, newM *virtv1.VirtualMachineInstanceMigration) field.ErrorList {
	if oldM.Spec.VMIName != newM.Spec.VMIName {
		return field.ErrorList{field.Forbidden(field.NewPath("spec", "vmiName"), "the spec of a migration is immutable")}
	}
	return nil
}

// ValidateReplicaSet validates a VirtualMachineInstanceReplicaSet.
func ValidateReplicaSet(rs *virtv1.VirtualMachineInstanceReplicaSet, cfg Config) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	if rs.Spec.Replicas != nil && *rs.Spec.Replicas < 0 {
		errs = append(errs, field.Invalid(spec.Child("replicas"), *rs.Spec.Replicas, "must not be negative"))
	}
	if rs.Spec.Template == nil {
		return append(errs, field.Required(spec.Child("template"), ""))
	}
	tmpl := spec.Child("template")
	errs = append(errs, validateTemplateMeta(tmpl.Child("metadata"), rs.Spec.Template.ObjectMeta.Labels)...)
	errs = append(errs, ValidateVMISpec(tmpl.Child("spec"), &rs.Spec.Template.Spec, cfg, SpecOptions{})...)
	if rs.Spec.Selector == nil {
		return append(errs, field.Required(spec.Child("selector"), ""))
	}
	sel, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	switch {
	case err != nil:
		errs = append(errs, field.Invalid(spec.Child("selector"), "", err.Error()))
	case sel.Empty():
		errs = append(errs, field.Invalid(spec.Child("selector"), "", "an empty selector would match every VMI"))
	case !sel.Matches(labels.Set(rs.Spec.Template.ObjectMeta.Labels)):
		errs = append(errs, field.Invalid(spec.Child("selector"), "", "the selector does not match the template's labels"))
	}
	return errs
}

// ValidateInstancetypeSpec validates the spec of either instancetype kind.
func ValidateInstancetypeSpec(s *instancetypev1beta1.VirtualMachineInstancetypeSpec) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	if s.CPU.Guest < 1 {
		errs = append(errs, field.Invalid(spec.Child("cpu", "guest"), s.CPU.Guest, "must be at least 1"))
	}
	mem := spec.Child("memory", "guest")
	if s.Memory.Guest == nil {
		errs = append(errs, field.Required(mem, ""))
	} else {
		errs = append(errs, validateMinMemory(mem, *s.Memory.Guest)...)
	}
	if s.Memory.MaxGuest != nil && s.Memory.Guest != nil && s.Memory.MaxGuest.Cmp(*s.Memory.Guest) < 0 {
		errs = append(errs, field.Invalid(spec.Child("memory", "maxGuest"), s.Memory.MaxGuest.String(), "must not be less than guest"))
	}
	if s.CPU.MaxSockets < 0 {
		errs = append(errs, field.Invalid(spec.Child("cpu", "maxSockets"), s.CPU.MaxSockets, "must not be negative"))
	}
	if s.Memory.OvercommitPercent < 0 || s.Memory.OvercommitPercent > 100 {
		errs = append(errs, field.Invalid(spec.Child("memory", "overcommitPercent"), s.Memory.OvercommitPercent, "must be between 0 and 100"))
	}
	return errs
}

// ValidatePreferenceSpec validates the spec of either preference kind.
func ValidatePreferenceSpec(s *instancetypev1beta1.VirtualMachinePreferenceSpec) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	if s.CPU != nil && s.CPU.PreferredCPUTopology != nil && !contains(supportedTopologies, *s.CPU.PreferredCPUTopology) {
		errs = append(errs, field.NotSupported(spec.Child("cpu", "preferredCPUTopology"), *s.CPU.PreferredCPUTopology, supportedTopologies))
	}
	if d := s.Devices; d != nil {
		devices := spec.Child("devices")
		for _, b := range []struct{ name, bus string }{{"preferredDiskBus", d.PreferredDiskBus}, {"preferredCdromBus", d.PreferredCdromBus}} {
			if b.bus != "" && !contains(supportedDiskBuses, b.bus) {
				errs = append(errs, field.NotSupported(devices.Child(b.name), b.bus, supportedDiskBuses))
			}
		}
		if d.PreferredInterfaceModel != "" && !contains(supportedInterfaceModel, d.PreferredInterfaceModel) {
			errs = append(errs, field.NotSupported(devices.Child("preferredInterfaceModel"), d.PreferredInterfaceModel, supportedInterfaceModel))
		}
	}
	if a := s.PreferredArchitecture; a != "" && !contains(supportedArchitectures, a) {
		errs = append(errs, field.NotSupported(spec.Child("preferredArchitecture"), a, supportedArchitectures))
	}
	return errs
}

// validateHeartbeatTimeout checks the KubeVirt CR's NodeHeartbeatTimeoutAnnotation.
func validateHeartbeatTimeout(annotations map[string]string) field.ErrorList {
	raw, ok := annotations[virtv1.NodeHeartbeatTimeoutAnnotation]
	if !ok {
		return nil
	}
	path := field.NewPath("metadata", "annotations").Key(virtv1.NodeHeartbeatTimeoutAnnotation)
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		return field.ErrorList{field.Invalid(path, raw, "not a duration such as 5m or 90s")}
	case d < virtv1.MinNodeHeartbeatTimeout:
		return field.ErrorList{field.Invalid(path, raw,
			fmt.Sprintf("must be at least %s: virt-handler beats every fifth of it", virtv1.MinNodeHeartbeatTimeout))}
	}
	return nil
}

// ValidateKubeVirt validates the KubeVirt CR's configuration.
func ValidateKubeVirt(kv *virtv1.KubeVirt) field.ErrorList {
	spec := field.NewPath("spec")
	cfg := spec.Child("configuration")
	var errs field.ErrorList
	if p := kv.Spec.ImagePullPolicy; p != "" && !contains(supportedPullPolicies, p) {
		errs = append(errs, field.NotSupported(spec.Child("imagePullPolicy"), p, supportedPullPolicies))
	}
	if n := kv.Spec.Configuration.Network; n != nil && n.DefaultNetworkInterface != "" && !contains(supportedNetworkBindings, n.DefaultNetworkInterface) {
		errs = append(errs, field.NotSupported(cfg.Child("network", "defaultNetworkInterface"), n.DefaultNetworkInterface, supportedNetworkBindings))
	}
	for i, m := range kv.Spec.WorkloadUpdateStrategy.WorkloadUpdateMethods {
		if !contains(supportedUpdateMethods, m) {
			errs = append(errs, field.NotSupported(spec.Child("workloadUpdateStrategy", "workloadUpdateMethods").Index(i), m, supportedUpdateMethods))
		}
	}
	if e := kv.Spec.Configuration.EvictionStrategy; e != nil && !contains(supportedEvictionStrategies, *e) {
		errs = append(errs, field.NotSupported(cfg.Child("evictionStrategy"), *e, supportedEvictionStrategies))
	}
	errs = append(errs, validateMigrationConfig(cfg.Child("migrations"), kv.Spec.Configuration.Migrations)...)
	errs = append(errs, validateHeartbeatTimeout(kv.Annotations)...)
	if d := kv.Spec.Configuration.DeveloperConfiguration; d != nil && d.LogVerbosity != nil &&
		d.LogVerbosity.VirtSynchronizationController != nil {
		errs = append(errs, field.Forbidden(cfg.Child("developerConfiguration", "logVerbosity", "virtSynchronizationController"),
			"not supported by kvirt: there is no synchronization controller whose log level it could set"))
	}
	return errs
}
