package instancetype

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
)

// Kinds a VM may reference; an empty kind means the cluster-wide one.
const (
	KindInstancetype        = "VirtualMachineInstancetype"
	KindClusterInstancetype = "VirtualMachineClusterInstancetype"
	KindPreference          = "VirtualMachinePreference"
	KindClusterPreference   = "VirtualMachineClusterPreference"

	// ObjectKindLabel on a ControllerRevision names the kind it snapshots.
	ObjectKindLabel = "instancetype.kubevirt.io/object-kind"
)

// ErrNotFound marks a referenced instancetype, preference or revision that does
// not exist; the VM reports it as a condition and waits.
var ErrNotFound = errors.New("not found")

// Resolved holds the specs a VM starts with and the status refs naming their revisions.
type Resolved struct {
	Instancetype    *instancetypev1beta1.VirtualMachineInstancetypeSpec
	Preference      *instancetypev1beta1.VirtualMachinePreferenceSpec
	InstancetypeRef *virtv1.InstancetypeStatusRef
	PreferenceRef   *virtv1.InstancetypeStatusRef
}

// Resolver reads referenced objects and pins them in ControllerRevisions.
type Resolver struct {
	Kube  kubernetes.Interface
	Kvirt kvirtclient.Interface
}

// Resolve returns the instancetype and preference specs vm starts with: from the
// revisions its status already names when they still match the spec's reference,
// otherwise from the live objects, snapshotted into new revisions owned by vm.
func (r *Resolver) Resolve(ctx context.Context, vm *virtv1.VirtualMachine) (Resolved, error) {
	return r.resolve(ctx, vm, true)
}

// Find returns the same specs as Resolve without writing anything: a live
// object that no revision pins yet is read as it is, and its status ref names
// no revision. virt-api's expand-spec subresources use it.
func (r *Resolver) Find(ctx context.Context, vm *virtv1.VirtualMachine) (Resolved, error) {
	return r.resolve(ctx, vm, false)
}

func (r *Resolver) resolve(ctx context.Context, vm *virtv1.VirtualMachine, store bool) (Resolved, error) {
	var out Resolved
	if m := vm.Spec.Instancetype; m != nil {
		kind := normalizeKind(m.Kind, KindClusterInstancetype, KindInstancetype)
		ref, raw, err := r.pin(ctx, vm, kind, m.Name, m.RevisionName, vm.Status.InstancetypeRef, store)
		if err != nil {
			return out, fmt.Errorf("instancetype %s %q: %w", kind, m.Name, err)
		}
		var obj instancetypev1beta1.VirtualMachineInstancetype
		if err := json.Unmarshal(raw, &obj); err != nil {
			return out, fmt.Errorf("decode instancetype %s: %w", m.Name, err)
		}
		out.Instancetype, out.InstancetypeRef = &obj.Spec, ref
	}
	if m := vm.Spec.Preference; m != nil {
		kind := normalizeKind(m.Kind, KindClusterPreference, KindPreference)
		ref, raw, err := r.pin(ctx, vm, kind, m.Name, m.RevisionName, vm.Status.PreferenceRef, store)
		if err != nil {
			return out, fmt.Errorf("preference %s %q: %w", kind, m.Name, err)
		}
		var obj instancetypev1beta1.VirtualMachinePreference
		if err := json.Unmarshal(raw, &obj); err != nil {
			return out, fmt.Errorf("decode preference %s: %w", m.Name, err)
		}
		out.Preference, out.PreferenceRef = &obj.Spec, ref
	}
	return out, nil
}

// CheckKinds returns an error naming the field of each matcher whose kind is
// neither the namespaced nor the cluster kind (upstream's spellings accepted;
// empty means the cluster kind). Resolve and Find take any other kind for the
// cluster one, so callers facing unvalidated input check first.
func CheckKinds(vm *virtv1.VirtualMachine) error {
	var bad []string
	if m := vm.Spec.Instancetype; m != nil && !knownKind(m.Kind, KindClusterInstancetype, KindInstancetype) {
		bad = append(bad, fmt.Sprintf("spec.instancetype.kind: unsupported value %q", m.Kind))
	}
	if m := vm.Spec.Preference; m != nil && !knownKind(m.Kind, KindClusterPreference, KindPreference) {
		bad = append(bad, fmt.Sprintf("spec.preference.kind: unsupported value %q", m.Kind))
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, ", "))
	}
	return nil
}

func knownKind(kind, clusterKind, namespacedKind string) bool {
	k := strings.TrimSuffix(strings.ToLower(kind), "s")
	return k == "" || k == strings.ToLower(clusterKind) || k == strings.ToLower(namespacedKind)
}

// normalizeKind accepts upstream's spellings (kind, lower case, plural) and
// defaults to the cluster kind.
func normalizeKind(kind, clusterKind, namespacedKind string) string {
	k := strings.TrimSuffix(strings.ToLower(kind), "s")
	switch k {
	case strings.ToLower(namespacedKind):
		return namespacedKind
	default:
		return clusterKind
	}
}

// pin returns the revision for the reference, creating it from the live object
// when the status names none (or another object). Without store the live
// object is returned as it is and no revision is created.
func (r *Resolver) pin(ctx context.Context, vm *virtv1.VirtualMachine, kind, name, revisionName string,
	status *virtv1.InstancetypeStatusRef, store bool) (*virtv1.InstancetypeStatusRef, []byte, error) {
	if revisionName == "" && status != nil && status.Name == name && status.Kind == kind && status.ControllerRevisionRef != nil {
		revisionName = status.ControllerRevisionRef.Name
	}
	ref := &virtv1.InstancetypeStatusRef{Kind: kind, Name: name}
	if revisionName != "" {
		cr, err := r.Kube.AppsV1().ControllerRevisions(vm.Namespace).Get(ctx, revisionName, metav1.GetOptions{})
		if err == nil {
			ref.ControllerRevisionRef = &virtv1.ControllerRevisionRef{Name: cr.Name}
			return ref, cr.Data.Raw, nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, nil, fmt.Errorf("get revision %s: %w", revisionName, err)
		}
	}
	obj, err := r.fetch(ctx, vm.Namespace, kind, name)
	if err != nil {
		return nil, nil, err
	}
	if !store {
		raw, err := json.Marshal(obj)
		if err != nil {
			return nil, nil, fmt.Errorf("encode %s: %w", name, err)
		}
		return ref, raw, nil
	}
	cr, err := r.snapshot(ctx, vm, kind, obj)
	if err != nil {
		return nil, nil, err
	}
	ref.ControllerRevisionRef = &virtv1.ControllerRevisionRef{Name: cr.Name}
	return ref, cr.Data.Raw, nil
}

// fetch reads the live object and returns it with its type meta set.
func (r *Resolver) fetch(ctx context.Context, ns, kind, name string) (metav1.Object, error) {
	var (
		obj metav1.Object
		err error
	)
	c := r.Kvirt.InstancetypeV1beta1()
	switch kind {
	case KindInstancetype:
		obj, err = c.VirtualMachineInstancetypes(ns).Get(ctx, name, metav1.GetOptions{})
	case KindClusterInstancetype:
		obj, err = c.VirtualMachineClusterInstancetypes().Get(ctx, name, metav1.GetOptions{})
	case KindPreference:
		obj, err = c.VirtualMachinePreferences(ns).Get(ctx, name, metav1.GetOptions{})
	default:
		obj, err = c.VirtualMachineClusterPreferences().Get(ctx, name, metav1.GetOptions{})
	}
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	if t, ok := obj.(runtime.Object); ok {
		t.GetObjectKind().SetGroupVersionKind(instancetypev1beta1.SchemeGroupVersion.WithKind(kind))
	}
	return obj, nil
}

// snapshot stores obj in a ControllerRevision owned by vm. The name carries the
// object's UID and generation, so an edited object gets a new revision and an
// unchanged one reuses the existing revision.
func (r *Resolver) snapshot(ctx context.Context, vm *virtv1.VirtualMachine, kind string, obj metav1.Object) (*appsv1.ControllerRevision, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", obj.GetName(), err)
	}
	name := fmt.Sprintf("%s-%s-%s-%d", vm.Name, obj.GetName(), obj.GetUID(), obj.GetGeneration())
	cr := &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:            name,
			Namespace:       vm.Namespace,
			Labels:          map[string]string{ObjectKindLabel: kind},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(vm, virtv1.SchemeGroupVersion.WithKind("VirtualMachine"))},
		},
		Data:     runtime.RawExtension{Raw: raw},
		Revision: obj.GetGeneration(),
	}
	created, err := r.Kube.AppsV1().ControllerRevisions(vm.Namespace).Create(ctx, cr, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = r.Kube.AppsV1().ControllerRevisions(vm.Namespace).Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("store revision %s: %w", name, err)
	}
	return created, nil
}
