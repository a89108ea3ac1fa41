package datavolume

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// checkImporterPod checks the pod against the importer contract for the
// http DataVolume of TestHTTPImport.
func checkImporterPod(t *testing.T, pod *corev1.Pod, port int32) {
	t.Helper()
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("containers %+v", pod.Spec.Containers)
	}
	ctr := pod.Spec.Containers[0]
	wantArgs := []string{"--source=http", "--endpoint=http://images.example/guest.qcow2", "--dest=/data/disk.img",
		"--image-size=1073741824", "--content-type=kubevirt", "--cert-dir=/certs", fmt.Sprintf("--progress-listen=:%d", port)}
	if ctr.Name != "importer" || ctr.Image != "kvirt.local/importer:test" || !reflect.DeepEqual(ctr.Args, wantArgs) {
		t.Errorf("container %s image %s args %q, want args %q", ctr.Name, ctr.Image, ctr.Args, wantArgs)
	}
	ref := metav1.GetControllerOf(pod)
	if pod.Spec.RestartPolicy != corev1.RestartPolicyNever || pod.Labels["app"] != "containerized-data-importer" ||
		pod.Labels["cdi.kubevirt.io/storage.import.importPvcName"] != "disk" || ref == nil || ref.Kind != "DataVolume" {
		t.Errorf("pod restart policy %s labels %v owner %+v", pod.Spec.RestartPolicy, pod.Labels, ref)
	}
	sc := ctr.SecurityContext
	if sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != 107 || sc.Capabilities == nil || len(sc.Capabilities.Add) != 0 ||
		ctr.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError ||
		len(ctr.Ports) != 1 || ctr.Ports[0].Name != "progress" || ctr.Ports[0].ContainerPort != port {
		t.Errorf("security %+v termination policy %s ports %+v", sc, ctr.TerminationMessagePolicy, ctr.Ports)
	}
	env := map[string]string{}
	for _, e := range ctr.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			env[e.Name] = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		}
	}
	if !reflect.DeepEqual(env, map[string]string{"IMPORTER_ACCESS_KEY_ID": "creds/accessKeyId", "IMPORTER_SECRET_KEY": "creds/secretKey"}) {
		t.Errorf("env %v", env)
	}
	mounts := map[string]string{}
	for _, m := range ctr.VolumeMounts {
		for _, v := range pod.Spec.Volumes {
			switch {
			case v.Name == m.Name && v.PersistentVolumeClaim != nil:
				mounts[m.MountPath] = "pvc:" + v.PersistentVolumeClaim.ClaimName
			case v.Name == m.Name && v.ConfigMap != nil:
				mounts[m.MountPath] = "configmap:" + v.ConfigMap.Name
			}
		}
	}
	if !reflect.DeepEqual(mounts, map[string]string{"/data": "pvc:disk", "/certs": "configmap:ca"}) {
		t.Errorf("mounts %v", mounts)
	}
}

// setPod plays the kubelet: it writes the pod's status.
func setPod(t *testing.T, c clients, pod *corev1.Pod, mutate func(*corev1.PodStatus)) {
	t.Helper()
	eventually(t, wait, "status of pod "+pod.Name, func() error {
		p, err := c.kube.CoreV1().Pods(pod.Namespace).Get(context.Background(), pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.UID != pod.UID {
			return fmt.Errorf("pod %s was replaced", pod.Name)
		}
		mutate(&p.Status)
		_, err = c.kube.CoreV1().Pods(pod.Namespace).UpdateStatus(context.Background(), p, metav1.UpdateOptions{})
		return err
	})
}

func runningStatus(st *corev1.PodStatus) {
	now := metav1.Now()
	st.Phase, st.PodIP, st.StartTime = corev1.PodRunning, "127.0.0.1", &now
	st.PodIPs = []corev1.PodIP{{IP: "127.0.0.1"}}
	st.ContainerStatuses = []corev1.ContainerStatus{{Name: "importer", Image: "kvirt.local/importer:test", Ready: true,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}}
}

func failedStatus(msg string) func(*corev1.PodStatus) {
	return func(st *corev1.PodStatus) {
		st.Phase = corev1.PodFailed
		st.ContainerStatuses = []corev1.ContainerStatus{{Name: "importer", Image: "kvirt.local/importer:test",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: msg + "\n",
				FinishedAt: metav1.Now()}}}}
	}
}

func succeededStatus(st *corev1.PodStatus) {
	st.Phase = corev1.PodSucceeded
	st.ContainerStatuses = []corev1.ContainerStatus{{Name: "importer", Image: "kvirt.local/importer:test",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", FinishedAt: metav1.Now()}}}}
}

// status checks the DataVolume's current status with check.
func status(c clients, dv *cdiv1beta1.DataVolume, check func(cdiv1beta1.DataVolumeStatus) error) func() error {
	return func() error {
		cur, err := c.kvirt.CdiV1beta1().DataVolumes(dv.Namespace).Get(context.Background(), dv.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		return check(cur.Status)
	}
}

type wantCond struct {
	typ, status, reason string
	message             *string
}

func cond(typ, status, reason string, message ...string) wantCond {
	w := wantCond{typ: typ, status: status, reason: reason}
	if len(message) > 0 {
		w.message = &message[0]
	}
	return w
}

// expect compares phase, progress (unless empty), restartCount and conditions.
func expect(st cdiv1beta1.DataVolumeStatus, phase cdiv1beta1.DataVolumePhase, progress string, restarts int32, conds ...wantCond) error {
	if st.Phase != phase || (progress != "" && string(st.Progress) != progress) || st.RestartCount != restarts || st.ClaimName != "disk" {
		return fmt.Errorf("phase %q progress %q restarts %d claim %q; want %q %q %d", st.Phase, st.Progress, st.RestartCount, st.ClaimName,
			phase, progress, restarts)
	}
	for _, w := range conds {
		var found *cdiv1beta1.DataVolumeCondition
		for i := range st.Conditions {
			if string(st.Conditions[i].Type) == w.typ {
				found = &st.Conditions[i]
			}
		}
		if found == nil || string(found.Status) != w.status || found.Reason != w.reason || (w.message != nil && found.Message != *w.message) ||
			found.LastTransitionTime.IsZero() || found.LastHeartbeatTime.IsZero() {
			return fmt.Errorf("condition %s: %+v, want %+v", w.typ, found, w)
		}
	}
	return nil
}

// eventsRecorded checks the DataVolume's Events include every reason, given
// as "Reason" or "Reason=text in the message".
func eventsRecorded(c clients, ns, name string, reasons ...string) func() error {
	return func() error {
		evs, err := c.kube.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("involvedObject.name", name).String()})
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		var missing []string
		for _, r := range reasons {
			reason, text, _ := strings.Cut(r, "=")
			found := false
			for _, e := range evs.Items {
				if e.InvolvedObject.Kind == "DataVolume" && e.Reason == reason && strings.Contains(e.Message, text) {
					found = true
				}
				seen[e.Reason] = true
			}
			if !found {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("no %s event yet (seen %v)", strings.Join(missing, ", "), seen)
		}
		return nil
	}
}
