package instancetype

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
)

// TestFindWritesNothing: Find reads the live object (or the revision the
// status pins) and creates no ControllerRevision, where Resolve would.
func TestFindWritesNothing(t *testing.T) {
	live := &instancetypev1beta1.VirtualMachineClusterInstancetype{ObjectMeta: metav1.ObjectMeta{Name: "u1", UID: "uid1"},
		Spec: instancetypev1beta1.VirtualMachineInstancetypeSpec{CPU: instancetypev1beta1.CPUInstancetype{Guest: 2}}}
	pinned := instancetypev1beta1.VirtualMachineInstancetype{Spec: instancetypev1beta1.VirtualMachineInstancetypeSpec{
		CPU: instancetypev1beta1.CPUInstancetype{Guest: 8}}}
	raw, _ := json.Marshal(pinned)
	rev := &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Name: "vm-u1-rev", Namespace: "ns"}, Data: runtime.RawExtension{Raw: raw}}
	kube := kubefake.NewClientset(rev)
	r := &Resolver{Kube: kube, Kvirt: kvirtfake.NewSimpleClientset(live)}
	vm := &virtv1.VirtualMachine{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns"},
		Spec: virtv1.VirtualMachineSpec{Instancetype: &virtv1.InstancetypeMatcher{Name: "u1"}}}

	got, err := r.Find(context.Background(), vm)
	if err != nil || got.Instancetype == nil || got.Instancetype.CPU.Guest != 2 || got.InstancetypeRef.ControllerRevisionRef != nil {
		t.Fatalf("live: %+v, %v; want the live spec and no revision", got, err)
	}
	vm.Status.InstancetypeRef = &virtv1.InstancetypeStatusRef{Kind: KindClusterInstancetype, Name: "u1",
		ControllerRevisionRef: &virtv1.ControllerRevisionRef{Name: "vm-u1-rev"}}
	got, err = r.Find(context.Background(), vm)
	if err != nil || got.Instancetype.CPU.Guest != 8 {
		t.Fatalf("pinned: %+v, %v; want the revision's spec", got, err)
	}
	list, _ := kube.AppsV1().ControllerRevisions("ns").List(context.Background(), metav1.ListOptions{})
	if len(list.Items) != 1 {
		t.Errorf("%d revisions after Find, want only the one that was there", len(list.Items))
	}
	vm.Spec.Preference = &virtv1.PreferenceMatcher{Name: "absent"}
	if _, err := r.Find(context.Background(), vm); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing preference: %v, want ErrNotFound", err)
	}
}

func TestCheckKinds(t *testing.T) {
	for _, tc := range []struct {
		it, pref string
		ok       bool
	}{
		{"", "", true},
		{"VirtualMachineInstancetype", "virtualmachinepreferences", true},
		{"virtualmachineclusterinstancetype", "VirtualMachineClusterPreference", true},
		{"VirtualMachinePreference", "", false},
		{"", "Flavor", false},
	} {
		vm := &virtv1.VirtualMachine{Spec: virtv1.VirtualMachineSpec{
			Instancetype: &virtv1.InstancetypeMatcher{Name: "a", Kind: tc.it},
			Preference:   &virtv1.PreferenceMatcher{Name: "b", Kind: tc.pref},
		}}
		if err := CheckKinds(vm); (err == nil) != tc.ok {
			t.Errorf("kinds %q/%q: %v, want ok %v", tc.it, tc.pref, err, tc.ok)
		}
	}
}
