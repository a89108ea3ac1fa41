package apply

import (
	"context"
	"fmt"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// FieldManager is the server-side apply field manager of virt-operator.
const FieldManager = "virt-operator"

// Object is a typed object with metadata.
type Object interface {
	metav1.Object
	runtime.Object
}

// Applier applies and deletes objects.
type Applier struct {
	Client dynamic.Interface
	scheme *runtime.Scheme
}

// New returns an Applier writing through client.
func New(client dynamic.Interface) (*Applier, error) {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, apiregistrationv1.AddToScheme} {
		if err := add(s); err != nil {
			return nil, fmt.Errorf("build scheme: %w", err)
		}
	}
	return &Applier{Client: client, scheme: s}, nil
}

// Resource is the GroupVersionResource of obj (its TypeMeta, or the scheme's kind
// when the TypeMeta is empty).
func (a *Applier) Resource(obj Object) (schema.GroupVersionResource, schema.GroupVersionKind, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" {
		kinds, _, err := a.scheme.ObjectKinds(obj)
		if err != nil || len(kinds) == 0 {
			return schema.GroupVersionResource{}, gvk, fmt.Errorf("kind of %T: %w", obj, err)
		}
		gvk = kinds[0]
	}
	return gvk.GroupVersion().WithResource(plural(gvk.Kind)), gvk, nil
}

// plural is the resource of a kind: every kind the install contains has a
// regular English plural (ValidatingAdmissionPolicy -> validatingadmissionpolicies).
func plural(kind string) string {
	k := strings.ToLower(kind)
	if strings.HasSuffix(k, "y") && !strings.HasSuffix(k, "ay") && !strings.HasSuffix(k, "ey") {
		return strings.TrimSuffix(k, "y") + "ies"
	}
	return k + "s"
}

// Describe names obj for logs and errors: Kind namespace/name.
func (a *Applier) Describe(obj Object) string {
	_, gvk, _ := a.Resource(obj)
	if obj.GetNamespace() == "" {
		return gvk.Kind + " " + obj.GetName()
	}
	return gvk.Kind + " " + obj.GetNamespace() + "/" + obj.GetName()
}

func (a *Applier) client(obj Object) (dynamic.ResourceInterface, schema.GroupVersionKind, error) {
	gvr, gvk, err := a.Resource(obj)
	if err != nil {
		return nil, gvk, err
	}
	if obj.GetNamespace() == "" {
		return a.Client.Resource(gvr), gvk, nil
	}
	return a.Client.Resource(gvr).Namespace(obj.GetNamespace()), gvk, nil
}

// Apply server-side applies obj, taking over conflicting fields.
func (a *Applier) Apply(ctx context.Context, obj Object) error {
	c, gvk, err := a.client(obj)
	if err != nil {
		return err
	}
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return fmt.Errorf("convert %s: %w", a.Describe(obj), err)
	}
	u := &unstructured.Unstructured{Object: raw}
	u.SetGroupVersionKind(gvk)
	delete(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	_, err = c.Apply(ctx, obj.GetName(), u, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return fmt.Errorf("apply %s: %w", a.Describe(obj), err)
	}
	return nil
}

// Delete deletes obj (background propagation); a missing object is not an error.
func (a *Applier) Delete(ctx context.Context, obj Object) error {
	c, _, err := a.client(obj)
	if err != nil {
		return err
	}
	policy := metav1.DeletePropagationBackground
	err = c.Delete(ctx, obj.GetName(), metav1.DeleteOptions{PropagationPolicy: &policy})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete %s: %w", a.Describe(obj), err)
	}
	return nil
}

// Exists reports whether obj is still there (e.g. held by a finalizer).
func (a *Applier) Exists(ctx context.Context, obj Object) (bool, error) {
	c, _, err := a.client(obj)
	if err != nil {
		return false, err
	}
	_, err = c.Get(ctx, obj.GetName(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("get %s: %w", a.Describe(obj), err)
	}
	return true, nil
}
