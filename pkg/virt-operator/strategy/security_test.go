package strategy

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// CheckRestricted fails t when pod would be refused by a namespace enforcing
// Pod Security "restricted" (latest), with every reason.
func CheckRestricted(t *testing.T, name string, pod *corev1.PodSpec) {
	t.Helper()
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := policy.AggregateCheckResults(eval.EvaluatePod(
		psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}, &metav1.ObjectMeta{}, pod))
	if !res.Allowed {
		t.Errorf("%s is not Pod Security restricted: %s: %s", name, res.ForbiddenReason(), res.ForbiddenDetail())
	}
}

// TestControlPlaneRestricted: virt-api and virt-controller pass Pod Security
// "restricted", run as the images' nonroot user with a read-only root and a
// writable /tmp.
func TestControlPlaneRestricted(t *testing.T) {
	api, ctrl, _ := components(t, kubevirt(nil))
	for name, pod := range map[string]*corev1.PodSpec{"virt-api": &api.Spec.Template.Spec, "virt-controller": &ctrl.Spec.Template.Spec} {
		CheckRestricted(t, name, pod)
		sc := pod.SecurityContext
		if *sc.RunAsUser != ComponentUID || *sc.RunAsGroup != ComponentUID || *sc.FSGroup != ComponentUID {
			t.Errorf("%s pod security context %+v", name, sc)
		}
		c := pod.Containers[0]
		if !*c.SecurityContext.ReadOnlyRootFilesystem {
			t.Errorf("%s root filesystem writable", name)
		}
		tmp := false
		for _, m := range c.VolumeMounts {
			tmp = tmp || (m.Name == tmpVolume && m.MountPath == "/tmp" && !m.ReadOnly)
		}
		if !tmp {
			t.Errorf("%s has no writable /tmp: %+v", name, c.VolumeMounts)
		}
	}
}

// TestHandlerProbes: virt-handler has a startup probe generous enough for a
// slow first start and a liveness probe on its health endpoint; readiness
// waits for the node API certificate on /readyz.
func TestHandlerProbes(t *testing.T) {
	_, _, ds := components(t, kubevirt(nil))
	c := ds.Spec.Template.Spec.Containers[0]
	probes := map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe}
	paths := map[string]string{"startup": "/healthz", "liveness": "/healthz", "readiness": "/readyz"}
	for name, p := range probes {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != paths[name] || p.HTTPGet.Port.IntVal != VirtHandlerHealthPort ||
			p.HTTPGet.Scheme != corev1.URISchemeHTTP {
			t.Fatalf("%s probe %+v", name, p)
		}
	}
	if budget := c.StartupProbe.PeriodSeconds * c.StartupProbe.FailureThreshold; budget < 600 {
		t.Errorf("startup probe allows %d s", budget)
	}
	if budget := c.LivenessProbe.PeriodSeconds * c.LivenessProbe.FailureThreshold; budget < 60 {
		t.Errorf("liveness probe allows %d s", budget)
	}
}
