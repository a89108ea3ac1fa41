package launcherpod

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
)

func TestRenderTarget(t *testing.T) {
	vmi := baseVMI()
	vmi.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{
			{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}}},
			{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"b"}}}},
		}}}}
	pod := RenderTarget(vmi, "mig-1", "node01", Config{}, nil)
	if pod.Name == Name(vmi) || pod.Name != TargetName(vmi, "mig-1") || pod.Name == TargetName(vmi, "mig-2") {
		t.Errorf("target name %q must differ from the source pod and per migration", pod.Name)
	}
	if pod.Labels[virtv1.MigrationJobLabel] != "mig-1" {
		t.Errorf("labels = %v", pod.Labels)
	}
	for _, c := range pod.Spec.Containers {
		if got := slices.Contains(c.Args, "--migration-target"); got != (c.Name == ComputeContainer) {
			t.Errorf("container %s: --migration-target in %q", c.Name, c.Args)
		}
	}
	if slices.Contains(Render(vmi, Config{}).Spec.Containers[0].Args, "--migration-target") {
		t.Error("the VMI's own launcher pod is rendered as a migration target")
	}
	for i, term := range pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		last := term.MatchExpressions[len(term.MatchExpressions)-1]
		if last.Key != HostnameLabel || last.Operator != corev1.NodeSelectorOpNotIn || last.Values[0] != "node01" {
			t.Errorf("term %d does not exclude the source node: %+v", i, term)
		}
	}
	if vmi.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Key != "zone" ||
		len(vmi.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions) != 1 {
		t.Errorf("rendering modified the VMI")
	}
}

func TestFitHelpers(t *testing.T) {
	q := resource.MustParse
	for _, tc := range []struct {
		name             string
		compute          corev1.ResourceRequirements
		wantReq, wantLim string
	}{
		{"burstable compute: helpers request no more, may burst", corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m")}}, "100m", "200m"},
		{"guaranteed compute: helpers stay guaranteed", corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: q("100m")}}, "100m", "100m"},
		{"compute asks for more than the helper", corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("2")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: q("2")}}, "200m", "200m"},
		{"no CPU request", corev1.ResourceRequirements{}, "200m", "200m"},
	} {
		helpers := []corev1.Container{{Resources: helperResources()}}
		fitHelpers(helpers, tc.compute)
		r := helpers[0].Resources
		if got := r.Requests[corev1.ResourceCPU]; got.Cmp(q(tc.wantReq)) != 0 {
			t.Errorf("%s: request %s, want %s", tc.name, got.String(), tc.wantReq)
		}
		if got := r.Limits[corev1.ResourceCPU]; got.Cmp(q(tc.wantLim)) != 0 {
			t.Errorf("%s: limit %s, want %s", tc.name, got.String(), tc.wantLim)
		}
	}
}
