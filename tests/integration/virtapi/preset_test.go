package virtapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
)

// warnings collects the API warnings a client receives.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func (w *warnings) contain(sub string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.ContainsFunc(w.msgs, func(m string) bool { return strings.Contains(m, sub) })
}

// dynamicWithWarnings is a dynamic client recording the warnings it is sent.
func dynamicWithWarnings(e env) (dynamic.Interface, *warnings) {
	w := &warnings{}
	cfg := rest.CopyConfig(e.admin)
	cfg.WarningHandler = w
	return dynamic.NewForConfigOrDie(cfg), w
}

func gvr(version, resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: virtv1.GroupName, Version: version, Resource: resource}
}

// testV1alpha3 applies old manifests at kubevirt.io/v1alpha3: they are admitted
// by the same webhooks, stored as v1 and readable at both versions.
func testV1alpha3(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	dyn, warned := dynamicWithWarnings(e)
	vm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kubevirt.io/v1alpha3", "kind": "VirtualMachine",
		"metadata": map[string]any{"name": "old"},
		"spec": map[string]any{"runStrategy": "Halted", "template": map[string]any{"spec": map[string]any{
			"domain":  map[string]any{"resources": map[string]any{"requests": map[string]any{"memory": "64Mi"}}},
			"volumes": []any{map[string]any{"name": "root", "containerDisk": map[string]any{"image": "quay.io/kvirt/cirros:v1"}}},
		}}},
	}}
	if _, err := dyn.Resource(gvr("v1alpha3", "virtualmachines")).Namespace(ns).Create(ctx, vm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create v1alpha3 VM: %v", err)
	}
	if !warned.contain("kubevirt.io/v1alpha3 is deprecated") {
		t.Errorf("no deprecation warning, got %q", warned.msgs)
	}
	got, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx, "old", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("read the v1alpha3 VM as v1: %v", err)
	}
	if got.Spec.Template == nil || got.Spec.Template.Spec.Domain.Machine == nil || got.Spec.Template.Spec.Domain.Machine.Type != "q35" {
		t.Errorf("v1alpha3 VM not defaulted by the VM mutator: %+v", got.Spec.Template)
	}
	back, err := dyn.Resource(gvr("v1alpha3", "virtualmachines")).Namespace(ns).Get(ctx, "old", metav1.GetOptions{})
	if err != nil || back.GetAPIVersion() != "kubevirt.io/v1alpha3" || back.GetUID() != got.UID {
		t.Errorf("read back at v1alpha3: %v %v", back, err)
	}

	// The validating webhook sees v1alpha3 objects too.
	bad := vm.DeepCopy()
	bad.SetName("bad")
	_ = unstructured.SetNestedSlice(bad.Object, []any{map[string]any{"name": "missing"}}, "spec", "template", "spec", "domain", "devices", "disks")
	_, err = dyn.Resource(gvr("v1alpha3", "virtualmachines")).Namespace(ns).Create(ctx, bad, metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.template.spec.domain.devices.disks[0].name") {
		t.Errorf("bad v1alpha3 VM: want a refusal naming the disk, got %v", err)
	}

	crds := apiextensionsclient.NewForConfigOrDie(e.admin).ApiextensionsV1().CustomResourceDefinitions()
	for _, name := range []string{"virtualmachines.kubevirt.io", "virtualmachineinstancepresets.kubevirt.io"} {
		crd, err := crds.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(crd.Status.StoredVersions, []string{"v1"}) {
			t.Errorf("%s stored versions %v, want [v1]", name, crd.Status.StoredVersions)
		}
	}
}

// testPresetApplied creates a preset and checks the VMI mutator merges it into
// new matching VMIs only, annotates them, and lets the VMI's own values win.
func testPresetApplied(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	preset := &virtv1.VirtualMachineInstancePreset{
		ObjectMeta: metav1.ObjectMeta{Name: "four-cores"},
		Spec: virtv1.VirtualMachineInstancePresetSpec{
			Selector: metav1.LabelSelector{MatchLabels: map[string]string{"kvirt.io/flavor": "quad"}},
			Domain:   &virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: 4}},
		},
	}
	if _, err := e.kvirt.KubevirtV1().VirtualMachineInstancePresets(ns).Create(ctx, preset, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create preset: %v", err)
	}
	vmis := e.kvirt.KubevirtV1().VirtualMachineInstances(ns)
	newVMI := func(name string, labels, annotations map[string]string) *virtv1.VirtualMachineInstance {
		return &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: annotations}, Spec: minimalSpec()}
	}
	quad := map[string]string{"kvirt.io/flavor": "quad"}
	// virt-api's informer sees the preset shortly after it is created: dry runs
	// go through the mutating webhook without storing anything.
	eventually(t, readyTimeout, "preset applied to a dry-run VMI", func() error {
		got, err := vmis.Create(ctx, newVMI("probe", quad, nil), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return err
		}
		if got.Spec.Domain.CPU == nil || got.Spec.Domain.CPU.Cores != 4 {
			return fmt.Errorf("cpu %+v", got.Spec.Domain.CPU)
		}
		return nil
	})
	got, err := vmis.Create(ctx, newVMI("quad", quad, nil), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create matching VMI: %v", err)
	}
	if c := got.Spec.Domain.CPU; c == nil || c.Cores != 4 || c.Model != "host-model" {
		t.Errorf("matching VMI cpu %+v, want 4 cores and the default model", c)
	}
	if v := got.Annotations[virtv1.PresetAnnotationPrefix+"four-cores"]; v != "kubevirt.io/v1" {
		t.Errorf("matching VMI annotations %v", got.Annotations)
	}
	cases := []struct {
		name        string
		labels      map[string]string
		annotations map[string]string
	}{
		{"other-labels", map[string]string{"kvirt.io/flavor": "single"}, nil},
		{"excluded", quad, map[string]string{virtv1.PresetExcludeAnnotation: "true"}},
	}
	for _, tc := range cases {
		got, err := vmis.Create(ctx, newVMI(tc.name, tc.labels, tc.annotations), metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create %s VMI: %v", tc.name, err)
		}
		if got.Spec.Domain.CPU.Cores == 4 || got.Annotations[virtv1.PresetAnnotationPrefix+"four-cores"] != "" {
			t.Errorf("%s VMI got the preset: cpu %+v annotations %v", tc.name, got.Spec.Domain.CPU, got.Annotations)
		}
	}
}

// testConflictingPresets: two matching presets that disagree refuse the VMI.
func testConflictingPresets(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	sel := metav1.LabelSelector{MatchLabels: map[string]string{"kvirt.io/flavor": "clash"}}
	for name, cores := range map[string]int64{"two": 2, "three": 3} {
		p := &virtv1.VirtualMachineInstancePreset{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: virtv1.VirtualMachineInstancePresetSpec{Selector: sel, Domain: &virtv1.DomainSpec{CPU: &virtv1.CPU{Cores: cores}}}}
		if _, err := e.kvirt.KubevirtV1().VirtualMachineInstancePresets(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create preset %s: %v", name, err)
		}
	}
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "clash", Labels: sel.MatchLabels}, Spec: minimalSpec()}
	eventually(t, readyTimeout, "conflicting presets refuse the VMI", func() error {
		_, err := e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, vmi, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil {
			return errors.New("VMI accepted")
		}
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.domain.cpu") {
			return fmt.Errorf("want a refusal naming spec.domain.cpu, got: %w", err)
		}
		return nil
	})
	bad := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kubevirt.io/v1alpha3", "kind": "VirtualMachineInstancePreset", "metadata": map[string]any{"name": "bad"},
		"spec": map[string]any{"selector": map[string]any{"matchExpressions": []any{map[string]any{"key": "a", "operator": "Near"}}}, "domain": map[string]any{"devices": map[string]any{}}},
	}}
	_, err := dynamic.NewForConfigOrDie(e.admin).Resource(gvr("v1alpha3", "virtualmachineinstancepresets")).Namespace(ns).Create(ctx, bad, metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.selector.matchExpressions[0].operator") {
		t.Errorf("preset with a bad selector: want a refusal naming the operator, got %v", err)
	}
}
