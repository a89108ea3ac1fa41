package status

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func ready(names ...string) []Workload {
	var out []Workload
	for _, n := range names {
		out = append(out, Workload{Name: n, Found: true, Ready: true})
	}
	return out
}

func cond(st virtv1.KubeVirtStatus, t virtv1.KubeVirtConditionType) string {
	if c := Find(st, t); c != nil {
		return c.Status + "/" + c.Reason
	}
	return ""
}

func TestInstalled(t *testing.T) {
	unavailableSince := func(d time.Duration) virtv1.KubeVirtStatus {
		return virtv1.KubeVirtStatus{Phase: virtv1.KubeVirtPhaseDeploying, Conditions: []virtv1.KubeVirtCondition{{
			Type: virtv1.KubeVirtConditionAvailable, Status: "False", LastTransitionTime: metav1.NewTime(t0.Add(-d))}}}
	}
	for _, tc := range []struct {
		name                             string
		prev                             virtv1.KubeVirtStatus
		workloads                        []Workload
		applyErr                         string
		phase                            virtv1.KubeVirtPhase
		available, progressing, degraded string
		created                          string
		observedVersion                  string
	}{
		{"fresh install, nothing ready", virtv1.KubeVirtStatus{}, []Workload{{Name: "virt-api"}},
			"", virtv1.KubeVirtPhaseDeploying, "False/DeploymentInProgress", "True/DeploymentInProgress", "False/Healthy",
			"True/AllResourcesCreated", ""},
		{"all ready", virtv1.KubeVirtStatus{}, ready("virt-api", "virt-handler"),
			"", virtv1.KubeVirtPhaseDeployed, "True/AllComponentsReady", "False/AllComponentsReady", "False/Healthy",
			"True/AllResourcesCreated", "v1"},
		{"deployed stays deployed while rolling", virtv1.KubeVirtStatus{Phase: virtv1.KubeVirtPhaseDeployed},
			[]Workload{{Name: "virt-controller", Found: true}},
			"", virtv1.KubeVirtPhaseDeployed, "False/DeploymentInProgress", "True/DeploymentInProgress", "False/Healthy",
			"True/AllResourcesCreated", ""},
		{"apply failed", virtv1.KubeVirtStatus{}, ready("virt-api"),
			"apply Deployment kubevirt/virt-api: boom", virtv1.KubeVirtPhaseDeploying, "False/DeploymentInProgress",
			"False/DeploymentInProgress", "True/ApplyFailed", "", ""},
		{"unready for too long", unavailableSince(11 * time.Minute), []Workload{{Name: "virt-api", Found: true}},
			"", virtv1.KubeVirtPhaseDeploying, "False/DeploymentInProgress", "True/DeploymentInProgress", "True/NotReadyTooLong",
			"True/AllResourcesCreated", ""},
		{"unready, within the threshold", unavailableSince(9 * time.Minute), []Workload{{Name: "virt-api", Found: true}},
			"", virtv1.KubeVirtPhaseDeploying, "False/DeploymentInProgress", "True/DeploymentInProgress", "False/Healthy",
			"True/AllResourcesCreated", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := Installed(Input{Previous: tc.prev, Generation: 3, Workloads: tc.workloads, ApplyError: tc.applyErr,
				Version: "v1", Registry: "kvirt.local", DeploymentID: "abc", Now: t0})
			got := []string{string(st.Phase), cond(st, virtv1.KubeVirtConditionAvailable), cond(st, virtv1.KubeVirtConditionProgressing),
				cond(st, virtv1.KubeVirtConditionDegraded), cond(st, virtv1.KubeVirtConditionCreated), st.ObservedKubeVirtVersion}
			want := []string{string(tc.phase), tc.available, tc.progressing, tc.degraded, tc.created, tc.observedVersion}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("phase, available, progressing, degraded, created, observedVersion = %q, want %q", got, want)
					break
				}
			}
			if st.ObservedGeneration != 3 || st.TargetKubeVirtVersion != "v1" || st.OperatorVersion != "v1" || st.TargetDeploymentID != "abc" {
				t.Errorf("status %+v", st)
			}
		})
	}
}

func TestInstalledIsStable(t *testing.T) {
	in := Input{Workloads: ready("virt-api"), Version: "v1", Now: t0}
	first := Installed(in)
	in.Previous, in.Now = first, t0.Add(time.Hour)
	second := Installed(in)
	for i := range first.Conditions {
		if !first.Conditions[i].LastTransitionTime.Equal(&second.Conditions[i].LastTransitionTime) ||
			!first.Conditions[i].LastProbeTime.Equal(&second.Conditions[i].LastProbeTime) {
			t.Errorf("condition %s moved without a change: %+v -> %+v", first.Conditions[i].Type, first.Conditions[i], second.Conditions[i])
		}
	}
}

func TestWorkloadReadiness(t *testing.T) {
	dep := func(gen, observed int64, replicas, updated, ready int32) *appsv1.Deployment {
		d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas)}}
		d.Generation = gen
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: observed, Replicas: replicas, UpdatedReplicas: updated, ReadyReplicas: ready}
		return d
	}
	for _, tc := range []struct {
		name string
		w    Workload
		want Workload
	}{
		{"missing", FromDeployment("a", nil), Workload{Name: "a"}},
		{"ready", FromDeployment("a", dep(2, 2, 2, 2, 2)), Workload{Name: "a", Found: true, Ready: true}},
		{"spec not yet observed", FromDeployment("a", dep(3, 2, 2, 2, 2)), Workload{Name: "a", Found: true}},
		{"not all updated", FromDeployment("a", dep(2, 2, 2, 1, 2)), Workload{Name: "a", Found: true}},
		{"daemonset ready", FromDaemonSet("h", &appsv1.DaemonSet{Status: appsv1.DaemonSetStatus{
			DesiredNumberScheduled: 1, UpdatedNumberScheduled: 1, NumberReady: 1}}), Workload{Name: "h", Found: true, Ready: true}},
		{"daemonset pod not ready", FromDaemonSet("h", &appsv1.DaemonSet{Status: appsv1.DaemonSetStatus{
			DesiredNumberScheduled: 1, UpdatedNumberScheduled: 1}}), Workload{Name: "h", Found: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.w != tc.want {
				t.Errorf("got %+v, want %+v", tc.w, tc.want)
			}
		})
	}
}

func TestDeletingAndIgnored(t *testing.T) {
	st := Deleting(virtv1.KubeVirtStatus{Phase: virtv1.KubeVirtPhaseDeployed}, "VirtualMachineInstances", t0)
	if st.Phase != virtv1.KubeVirtPhaseDeleting || cond(st, virtv1.KubeVirtConditionDegraded) != "True/"+ReasonDeletionBlocked {
		t.Errorf("blocked deletion: %+v", st)
	}
	st = Deleting(st, "", t0)
	if cond(st, virtv1.KubeVirtConditionDegraded) != "False/"+ReasonDeletionInProgress {
		t.Errorf("unblocked deletion: %+v", st)
	}
	st = Ignored(virtv1.KubeVirtStatus{}, 1, "kubevirt/kubevirt", t0)
	if cond(st, virtv1.KubeVirtConditionDegraded) != string(corev1.ConditionTrue)+"/"+ReasonExistingDeployment || st.Phase != "" {
		t.Errorf("ignored: %+v", st)
	}
}
