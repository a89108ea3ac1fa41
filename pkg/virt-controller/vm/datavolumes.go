package vm

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtv1 "kvirt.io/api/core/v1"
)

// Failure reasons about dataVolumeTemplates (Failure condition of the VM).
const (
	// ReasonDataVolumeAPIUnavailable: the cluster serves no
	// cdi.kubevirt.io/v1beta1 DataVolume API, so the templates cannot be created.
	ReasonDataVolumeAPIUnavailable = "DataVolumeAPIUnavailable"
	// ReasonDataVolumeOwnedElsewhere: a DataVolume of a template's name is
	// controlled by another object.
	ReasonDataVolumeOwnedElsewhere = "DataVolumeExistsNotOwned"
)

// Event reasons about dataVolumeTemplates, upstream's where upstream has one.
const (
	EventSuccessfulDataVolumeCreate = "SuccessfulDataVolumeCreate"
	EventFailedDataVolumeCreate     = "FailedDataVolumeCreate"
	EventFailedDataVolumeImport     = "FailedDataVolumeImport"
	EventDataVolumeAPIUnavailable   = ReasonDataVolumeAPIUnavailable
	EventDataVolumeOwnedElsewhere   = ReasonDataVolumeOwnedElsewhere
)

// dataVolumeErrorReasons are the Running-condition reasons (False) that make a
// DataVolume count as failing although its phase is not Failed, as upstream
// reads them.
var dataVolumeErrorReasons = map[string]bool{"Error": true, "ImagePullFailed": true}

// DataVolumePlan is what a VM's dataVolumeTemplates need now.
type DataVolumePlan struct {
	// Create are the DataVolumes to create (one per template that has none).
	Create []*cdiv1beta1.DataVolume
	// Adopt are orphaned DataVolumes of a template's name, with the VM added
	// as their controller: the update to send.
	Adopt []*cdiv1beta1.DataVolume
	// Ready is true when every template's DataVolume is controlled by the VM,
	// not being deleted, and Succeeded, WaitForFirstConsumer or
	// PendingPopulation: the VMI may be created.
	Ready bool
	// Printable is Provisioning or DataVolumeError, or empty when neither applies.
	Printable virtv1.VirtualMachinePrintableStatus
	// Failure is a problem to show on the VM's Failure condition.
	Failure *Failure
	// Failed names the DataVolumes that are Failed or whose transfer stopped
	// with an error, with the reason.
	Failed []string
}

// PlanDataVolumes decides, from the VM and the DataVolumes of its templates'
// names (keyed by name; absent ones missing), what to create or adopt and
// whether the VM may start. served says whether the cluster serves the
// DataVolume API at all. As upstream, the DataVolumes are created whatever the
// run strategy, as soon as the VM exists; only the VMI waits for them.
func PlanDataVolumes(vm *virtv1.VirtualMachine, dvs map[string]*cdiv1beta1.DataVolume, served bool) DataVolumePlan {
	if len(vm.Spec.DataVolumeTemplates) == 0 {
		return DataVolumePlan{Ready: true}
	}
	if !served {
		return DataVolumePlan{Failure: &Failure{Reason: ReasonDataVolumeAPIUnavailable, Message: fmt.Sprintf(
			"spec.dataVolumeTemplates: the cluster serves no cdi.kubevirt.io/v1beta1 DataVolume API; cannot create %s",
			strings.Join(templateNames(vm), ", "))}}
	}
	p := DataVolumePlan{Ready: true}
	provisioning := false
	var foreign []string
	for i := range vm.Spec.DataVolumeTemplates {
		t := &vm.Spec.DataVolumeTemplates[i]
		dv := dvs[t.ObjectMeta.Name]
		switch {
		case dv == nil:
			if vm.DeletionTimestamp == nil {
				p.Create = append(p.Create, NewDataVolume(vm, t))
			}
			p.Ready, provisioning = false, true
			continue
		case metav1.GetControllerOf(dv) == nil:
			// adopted now, used once the adoption is seen (it may lose a race)
			if vm.DeletionTimestamp == nil && dv.DeletionTimestamp == nil {
				p.Adopt = append(p.Adopt, adopted(vm, dv))
			}
			p.Ready = false
		case !metav1.IsControlledBy(dv, vm):
			foreign = append(foreign, t.ObjectMeta.Name)
			p.Ready = false
			continue
		}
		switch ready, reason := dataVolumeState(dv); {
		case reason != "":
			p.Failed = append(p.Failed, t.ObjectMeta.Name+": "+reason)
			p.Ready = false
		case !ready:
			p.Ready, provisioning = false, true
		}
	}
	switch {
	case len(p.Failed) > 0:
		p.Printable = virtv1.VirtualMachineStatusDataVolumeError
	case provisioning:
		p.Printable = virtv1.VirtualMachineStatusProvisioning
	}
	if len(foreign) > 0 {
		p.Failure = &Failure{Reason: ReasonDataVolumeOwnedElsewhere, Message: fmt.Sprintf(
			"spec.dataVolumeTemplates: DataVolume %s exists and is not controlled by this VM", strings.Join(foreign, ", "))}
	}
	return p
}

// WaitForDataVolumes holds back a VMI creation while the DataVolumes are not
// ready (ready false); every other decision stands, stopping included. The
// DataVolumes' events bring the VM back.
func WaitForDataVolumes(d Decision, ready bool) Decision {
	if d.Action == ActionCreate && !ready {
		return Decision{}
	}
	return d
}

// dataVolumeState says whether a DataVolume is ready for its VMI, or why it
// failed (empty while it is in progress).
func dataVolumeState(dv *cdiv1beta1.DataVolume) (ready bool, failed string) {
	if dv.DeletionTimestamp != nil {
		return false, "" // going away: it is created again once gone
	}
	switch dv.Status.Phase {
	case cdiv1beta1.Succeeded, cdiv1beta1.WaitForFirstConsumer, cdiv1beta1.PendingPopulation:
		return true, ""
	case cdiv1beta1.Failed:
		return false, "phase Failed"
	}
	for _, c := range dv.Status.Conditions {
		if c.Type == cdiv1beta1.DataVolumeRunning && c.Status == corev1.ConditionFalse && dataVolumeErrorReasons[c.Reason] {
			return false, fmt.Sprintf("%s: %s", c.Reason, c.Message)
		}
	}
	return false, ""
}

// NewDataVolume renders a template's DataVolume: the template's name,
// labels, annotations and spec in the VM's namespace, labelled with the VM's
// UID (kubevirt.io/created-by, as upstream) and controlled by the VM with
// blockOwnerDeletion, so deleting the VM deletes it through the garbage
// collector. A spec without priorityClassName takes the VMI template's.
func NewDataVolume(vm *virtv1.VirtualMachine, t *virtv1.DataVolumeTemplateSpec) *cdiv1beta1.DataVolume {
	dv := &cdiv1beta1.DataVolume{
		TypeMeta: metav1.TypeMeta{APIVersion: cdiv1beta1.SchemeGroupVersion.String(), Kind: cdiv1beta1.DataVolumeKind},
		ObjectMeta: metav1.ObjectMeta{
			Name:            t.ObjectMeta.Name,
			Namespace:       vm.Namespace,
			Labels:          copyMap(t.ObjectMeta.Labels),
			Annotations:     copyMap(t.ObjectMeta.Annotations),
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(vm, virtv1.SchemeGroupVersion.WithKind("VirtualMachine"))},
		},
	}
	t.Spec.DeepCopyInto(&dv.Spec)
	if dv.Labels == nil {
		dv.Labels = map[string]string{}
	}
	dv.Labels[virtv1.CreatedByLabel] = string(vm.UID)
	if dv.Spec.PriorityClassName == "" && vm.Spec.Template != nil {
		dv.Spec.PriorityClassName = vm.Spec.Template.Spec.PriorityClassName
	}
	return dv
}

// adopted is an orphaned DataVolume with the VM added as its controller, as
// upstream claims DataVolumes of its templates' names that nobody controls.
func adopted(vm *virtv1.VirtualMachine, dv *cdiv1beta1.DataVolume) *cdiv1beta1.DataVolume {
	out := dv.DeepCopy()
	out.OwnerReferences = append(out.OwnerReferences, *metav1.NewControllerRef(vm, virtv1.SchemeGroupVersion.WithKind("VirtualMachine")))
	return out
}

// DataVolumePrintable is the VM's printable status once its DataVolumes are
// taken into account: Provisioning or DataVolumeError replace every status
// that comes after them in upstream's order (Stopped, Starting,
// CrashLoopBackOff, the volume and image-pull waits); Terminating, Stopping,
// Migrating, Paused, Running and Unknown stay.
func DataVolumePrintable(current, dv virtv1.VirtualMachinePrintableStatus) virtv1.VirtualMachinePrintableStatus {
	if dv == "" {
		return current
	}
	switch current {
	case virtv1.VirtualMachineStatusTerminating, virtv1.VirtualMachineStatusStopping, virtv1.VirtualMachineStatusMigrating,
		virtv1.VirtualMachineStatusPaused, virtv1.VirtualMachineStatusRunning, virtv1.VirtualMachineStatusUnknown:
		return current
	}
	return dv
}

// templateNames are the names of the VM's dataVolumeTemplates, sorted.
func templateNames(vm *virtv1.VirtualMachine) []string {
	names := make([]string, 0, len(vm.Spec.DataVolumeTemplates))
	for _, t := range vm.Spec.DataVolumeTemplates {
		names = append(names, t.ObjectMeta.Name)
	}
	sort.Strings(names)
	return names
}
