package vm

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtv1 "kvirt.io/api/core/v1"
)

func dvVM(names ...string) *virtv1.VirtualMachine {
	vm := &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns", UID: "vm-uid"}}
	vm.Spec.Template = &virtv1.VirtualMachineInstanceTemplateSpec{}
	vm.Spec.Template.Spec.PriorityClassName = "high"
	for _, n := range names {
		vm.Spec.DataVolumeTemplates = append(vm.Spec.DataVolumeTemplates, virtv1.DataVolumeTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Name: n, Labels: map[string]string{"l": n}, Annotations: map[string]string{"a": n}},
			Spec:       cdiv1beta1.DataVolumeSpec{Source: &cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}}},
		})
	}
	return vm
}

type dvOpt func(*cdiv1beta1.DataVolume)

func phase(p cdiv1beta1.DataVolumePhase) dvOpt {
	return func(dv *cdiv1beta1.DataVolume) { dv.Status.Phase = p }
}

func dvRunning(status corev1.ConditionStatus, reason string) dvOpt {
	return func(dv *cdiv1beta1.DataVolume) {
		dv.Status.Conditions = append(dv.Status.Conditions, cdiv1beta1.DataVolumeCondition{
			Type: cdiv1beta1.DataVolumeRunning, Status: status, Reason: reason, Message: "boom"})
	}
}

func orphan(dv *cdiv1beta1.DataVolume) { dv.OwnerReferences = nil }

func deleted(dv *cdiv1beta1.DataVolume) { dv.DeletionTimestamp = &metav1.Time{} }

// adoptedDV is an orphan after PlanDataVolumes adopted it.
func adoptedDV(vm *virtv1.VirtualMachine, name string) *cdiv1beta1.DataVolume {
	dv := ownedDV(vm, name, phase(cdiv1beta1.Succeeded), orphan)
	return PlanDataVolumes(vm, map[string]*cdiv1beta1.DataVolume{name: dv}, true).Adopt[0]
}

func foreign(dv *cdiv1beta1.DataVolume) {
	dv.OwnerReferences[0].UID = "other"
}

func ownedDV(vm *virtv1.VirtualMachine, name string, opts ...dvOpt) *cdiv1beta1.DataVolume {
	dv := NewDataVolume(vm, &virtv1.DataVolumeTemplateSpec{ObjectMeta: metav1.ObjectMeta{Name: name}})
	for _, o := range opts {
		o(dv)
	}
	return dv
}

func TestPlanDataVolumes(t *testing.T) {
	vm := dvVM("a", "b")
	deleting := dvVM("a", "b")
	deleting.DeletionTimestamp = &metav1.Time{}
	cases := []struct {
		name        string
		vm          *virtv1.VirtualMachine
		dvs         map[string]*cdiv1beta1.DataVolume
		unserved    bool
		create      []string
		adopt       []string
		ready       bool
		printable   virtv1.VirtualMachinePrintableStatus
		failure     string
		failureText string
	}{
		{name: "no templates", vm: dvVM(), ready: true, unserved: true},
		{name: "none exist: create both", vm: vm, create: []string{"a", "b"}, printable: virtv1.VirtualMachineStatusProvisioning},
		{name: "api not served", vm: vm, unserved: true, failure: ReasonDataVolumeAPIUnavailable, failureText: "a, b"},
		{name: "one missing", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{"a": ownedDV(vm, "a", phase(cdiv1beta1.Succeeded))},
			create: []string{"b"}, printable: virtv1.VirtualMachineStatusProvisioning},
		{name: "importing", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.Succeeded)), "b": ownedDV(vm, "b", phase(cdiv1beta1.ImportInProgress))},
			printable: virtv1.VirtualMachineStatusProvisioning},
		{name: "both succeeded", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.Succeeded)), "b": ownedDV(vm, "b", phase(cdiv1beta1.Succeeded))}, ready: true},
		{name: "wffc and pending population are ready", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.WaitForFirstConsumer)), "b": ownedDV(vm, "b", phase(cdiv1beta1.PendingPopulation))},
			ready: true},
		{name: "failed", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.Failed)), "b": ownedDV(vm, "b", phase(cdiv1beta1.ImportInProgress))},
			printable: virtv1.VirtualMachineStatusDataVolumeError},
		{name: "retrying with error", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.ImportInProgress), dvRunning(corev1.ConditionFalse, "Error")),
			"b": ownedDV(vm, "b", phase(cdiv1beta1.Succeeded))},
			printable: virtv1.VirtualMachineStatusDataVolumeError},
		{name: "waiting container is not an error", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.ImportScheduled), dvRunning(corev1.ConditionFalse, "ContainerCreating")),
			"b": ownedDV(vm, "b", phase(cdiv1beta1.Succeeded))},
			printable: virtv1.VirtualMachineStatusProvisioning},
		{name: "orphan adopted", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.Succeeded), orphan), "b": ownedDV(vm, "b", phase(cdiv1beta1.Succeeded))},
			adopt: []string{"a"}},
		{name: "adopted one is used", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": adoptedDV(vm, "a"), "b": ownedDV(vm, "b", phase(cdiv1beta1.Succeeded))}, ready: true},
		{name: "being deleted", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.Succeeded), deleted), "b": ownedDV(vm, "b", phase(cdiv1beta1.Succeeded))},
			printable: virtv1.VirtualMachineStatusProvisioning},
		{name: "controlled elsewhere", vm: vm, dvs: map[string]*cdiv1beta1.DataVolume{
			"a": ownedDV(vm, "a", phase(cdiv1beta1.Succeeded), foreign), "b": ownedDV(vm, "b", phase(cdiv1beta1.Succeeded))},
			failure: ReasonDataVolumeOwnedElsewhere, failureText: "DataVolume a exists"},
		{name: "deleting vm creates nothing", vm: deleting, printable: virtv1.VirtualMachineStatusProvisioning},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := PlanDataVolumes(tc.vm, tc.dvs, !tc.unserved)
			if got := dvNames(p.Create); got != strings.Join(tc.create, ",") {
				t.Errorf("create %q, want %q", got, tc.create)
			}
			if got := dvNames(p.Adopt); got != strings.Join(tc.adopt, ",") {
				t.Errorf("adopt %q, want %q", got, tc.adopt)
			}
			if p.Ready != tc.ready || p.Printable != tc.printable {
				t.Errorf("ready %v printable %q, want %v %q", p.Ready, p.Printable, tc.ready, tc.printable)
			}
			var reason, msg string
			if p.Failure != nil {
				reason, msg = p.Failure.Reason, p.Failure.Message
			}
			if reason != tc.failure || !strings.Contains(msg, tc.failureText) {
				t.Errorf("failure %q %q, want %q containing %q", reason, msg, tc.failure, tc.failureText)
			}
			for _, dv := range p.Adopt {
				if !metav1.IsControlledBy(dv, tc.vm) {
					t.Errorf("adopted %s not controlled by the vm", dv.Name)
				}
			}
		})
	}
}

func dvNames(dvs []*cdiv1beta1.DataVolume) string {
	var n []string
	for _, dv := range dvs {
		n = append(n, dv.Name)
	}
	return strings.Join(n, ",")
}

func TestNewDataVolume(t *testing.T) {
	vm := dvVM("disk")
	dv := NewDataVolume(vm, &vm.Spec.DataVolumeTemplates[0])
	ref := metav1.GetControllerOf(dv)
	switch {
	case dv.Name != "disk" || dv.Namespace != "ns":
		t.Errorf("name %s/%s", dv.Namespace, dv.Name)
	case ref == nil || ref.UID != vm.UID || ref.Kind != "VirtualMachine" || ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion:
		t.Errorf("owner %+v", ref)
	case dv.Labels["l"] != "disk" || dv.Labels[virtv1.CreatedByLabel] != "vm-uid" || dv.Annotations["a"] != "disk":
		t.Errorf("labels %v annotations %v", dv.Labels, dv.Annotations)
	case dv.Spec.Source == nil || dv.Spec.Source.Blank == nil:
		t.Errorf("spec %+v", dv.Spec)
	case dv.Spec.PriorityClassName != "high":
		t.Errorf("priority class %q", dv.Spec.PriorityClassName)
	}
	if vm.Spec.DataVolumeTemplates[0].ObjectMeta.Labels[virtv1.CreatedByLabel] != "" {
		t.Error("template labels modified")
	}
}

func TestDataVolumePrintable(t *testing.T) {
	prov := virtv1.VirtualMachineStatusProvisioning
	cases := []struct {
		current, dv, want virtv1.VirtualMachinePrintableStatus
	}{
		{virtv1.VirtualMachineStatusStopped, "", virtv1.VirtualMachineStatusStopped},
		{virtv1.VirtualMachineStatusStopped, prov, prov},
		{virtv1.VirtualMachineStatusStarting, virtv1.VirtualMachineStatusDataVolumeError, virtv1.VirtualMachineStatusDataVolumeError},
		{virtv1.VirtualMachineStatusCrashLoopBackOff, prov, prov},
		{virtv1.VirtualMachineStatusPvcNotFound, prov, prov},
		{virtv1.VirtualMachineStatusRunning, prov, virtv1.VirtualMachineStatusRunning},
		{virtv1.VirtualMachineStatusTerminating, prov, virtv1.VirtualMachineStatusTerminating},
		{virtv1.VirtualMachineStatusStopping, prov, virtv1.VirtualMachineStatusStopping},
		{virtv1.VirtualMachineStatusPaused, prov, virtv1.VirtualMachineStatusPaused},
	}
	for _, tc := range cases {
		if got := DataVolumePrintable(tc.current, tc.dv); got != tc.want {
			t.Errorf("DataVolumePrintable(%s, %s) = %s, want %s", tc.current, tc.dv, got, tc.want)
		}
	}
}

func TestWaitForDataVolumes(t *testing.T) {
	cases := []struct {
		d     Decision
		ready bool
		want  Action
		pop   int
	}{
		{Decision{Action: ActionCreate, PopRequests: 1}, false, ActionNone, 0},
		{Decision{Action: ActionCreate, PopRequests: 1}, true, ActionCreate, 1},
		{Decision{Action: ActionDelete, PopRequests: 1}, false, ActionDelete, 1},
		{Decision{Action: ActionRun}, false, ActionRun, 0},
	}
	for _, tc := range cases {
		got := WaitForDataVolumes(tc.d, tc.ready)
		if got.Action != tc.want || got.PopRequests != tc.pop {
			t.Errorf("WaitForDataVolumes(%v, %v) = %v pop %d, want %v pop %d", tc.d.Action, tc.ready, got.Action, got.PopRequests, tc.want, tc.pop)
		}
	}
}
