package vmi

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func waiting(name, reason, msg string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{
		Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
}

func podWaiting(init, containers []corev1.ContainerStatus) *corev1.Pod {
	p := podWith(corev1.PodPending, "n1", false)
	p.Status.InitContainerStatuses, p.Status.ContainerStatuses = init, containers
	return p
}

func TestContainerProblem(t *testing.T) {
	const pullMsg = `failed to pull image "kvirt.local/does-not-exist:1": not found`
	running := corev1.ContainerStatus{Name: "compute", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	tests := []struct {
		name       string
		pod        *corev1.Pod
		wantReason string // "" for no problem
		wantMsg    string
	}{
		{"no statuses yet", podWaiting(nil, nil), "", ""},
		{"containers creating", podWaiting(nil, []corev1.ContainerStatus{waiting("compute", "ContainerCreating", "")}), "", ""},
		{"pod initializing", podWaiting(nil, []corev1.ContainerStatus{waiting("compute", "PodInitializing", "")}), "", ""},
		{"containerDisk image cannot be pulled", podWaiting(nil, []corev1.ContainerStatus{running,
			waiting("volumecontainerdisk", ReasonErrImagePull, pullMsg)}), ReasonErrImagePull, pullMsg},
		{"kubelet backs off pulling", podWaiting(nil, []corev1.ContainerStatus{
			waiting("volumecontainerdisk", ReasonImagePullBackOff, "Back-off pulling image")}), ReasonImagePullBackOff, "Back-off pulling image"},
		{"init container first", podWaiting([]corev1.ContainerStatus{waiting("container-disk-binary", ReasonInvalidImageName, "bad ref")},
			[]corev1.ContainerStatus{waiting("compute", ReasonErrImagePull, pullMsg)}), ReasonInvalidImageName, "bad ref"},
		{"missing secret or config map", podWaiting(nil, []corev1.ContainerStatus{
			waiting("compute", ReasonCreateContainerConfigError, `secret "x" not found`)}), ReasonCreateContainerConfigError, `secret "x" not found`},
		{"never-pull policy", podWaiting(nil, []corev1.ContainerStatus{waiting("compute", ReasonErrImageNeverPull, "not present")}),
			ReasonErrImageNeverPull, "not present"},
		{"runtime refused the container", podWaiting(nil, []corev1.ContainerStatus{waiting("compute", ReasonCreateContainerError, "oci")}),
			ReasonCreateContainerError, "oci"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ContainerProblem(tc.pod)
			if tc.wantReason == "" {
				if c != nil {
					t.Fatalf("condition %+v, want none", c)
				}
				return
			}
			if c == nil || c.Type != virtv1.VirtualMachineInstanceSynchronized || c.Status != string(corev1.ConditionFalse) ||
				c.Reason != tc.wantReason || c.Message != tc.wantMsg {
				t.Fatalf("condition %+v, want Synchronized=False %s %q", c, tc.wantReason, tc.wantMsg)
			}
		})
	}
}

// TestDecideShowsContainerProblems follows one VMI: the pull fails, the kubelet
// backs off, the image arrives and the pod runs.
func TestDecideShowsContainerProblems(t *testing.T) {
	later := metav1.NewTime(now.Add(30e9))
	pull := podWaiting(nil, []corev1.ContainerStatus{waiting("volumecontainerdisk", ReasonErrImagePull, "not found")})
	d := Decide(vmiIn(virtv1.Scheduling, true), pull, now)
	sync := condition(d.VMI, virtv1.VirtualMachineInstanceSynchronized)
	if d.VMI.Status.Phase != virtv1.Scheduling || sync == nil || sync.Reason != ReasonErrImagePull || !sync.LastTransitionTime.Equal(&now) {
		t.Fatalf("after ErrImagePull: phase %s condition %+v", d.VMI.Status.Phase, sync)
	}
	backoff := podWaiting(nil, []corev1.ContainerStatus{waiting("volumecontainerdisk", ReasonImagePullBackOff, "Back-off")})
	d = Decide(d.VMI, backoff, later)
	sync = condition(d.VMI, virtv1.VirtualMachineInstanceSynchronized)
	if sync == nil || sync.Reason != ReasonImagePullBackOff || sync.Message != "Back-off" || !sync.LastTransitionTime.Equal(&now) {
		t.Fatalf("after ImagePullBackOff: %+v (transition time stays while the status stays False)", sync)
	}
	d = Decide(d.VMI, podWaiting(nil, []corev1.ContainerStatus{waiting("compute", "ContainerCreating", "")}), later)
	if c := condition(d.VMI, virtv1.VirtualMachineInstanceSynchronized); c != nil {
		t.Fatalf("pulled: condition %+v must go", c)
	}
	d = Decide(vmiIn(virtv1.Scheduling, true), pull, now)
	d = Decide(d.VMI, podWith(corev1.PodRunning, "n1", true), later)
	if d.VMI.Status.Phase != virtv1.Scheduled || condition(d.VMI, virtv1.VirtualMachineInstanceSynchronized) != nil {
		t.Fatalf("scheduled: phase %s conditions %+v", d.VMI.Status.Phase, d.VMI.Status.Conditions)
	}
	failed := CreateFailed(vmiIn(virtv1.Scheduling, true), "quota", now)
	d = Decide(failed, podWaiting(nil, nil), later)
	if c := condition(d.VMI, virtv1.VirtualMachineInstanceSynchronized); c == nil || c.Reason != ReasonFailedCreate {
		t.Fatalf("a condition of another writer reason must stay: %+v", d.VMI.Status.Conditions)
	}
}
