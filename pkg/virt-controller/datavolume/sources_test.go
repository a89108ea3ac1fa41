package datavolume

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

func dvWith(src *cdiv1beta1.DataVolumeSource) *cdiv1beta1.DataVolume {
	dv := httpDV()
	dv.Spec.Source = src
	return dv
}

func cloneDV(ns string) *cdiv1beta1.DataVolume {
	return dvWith(&cdiv1beta1.DataVolumeSource{PVC: &cdiv1beta1.DataVolumeSourcePVC{Namespace: ns, Name: "golden"}})
}

func goldenClaim() *corev1.PersistentVolumeClaim {
	block := corev1.PersistentVolumeBlock
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "golden", Namespace: "ns"},
		Spec: corev1.PersistentVolumeClaimSpec{VolumeMode: &block},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound,
			Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}}}
}

func TestDecideSources(t *testing.T) {
	foreign := ownClaim(httpDV(), corev1.ClaimBound)
	foreign.OwnerReferences = nil
	adopted := foreign.DeepCopy()
	adopted.Annotations = map[string]string{AnnPopulatedFor: "disk"}
	withSource := func(o Observed, c *corev1.PersistentVolumeClaim) Observed { o.SourceClaim = c; return o }
	wffc := func(o Observed) Observed { o.WaitForFirstConsumer = true; return o }
	upload := dvWith(&cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}})
	uploadPod := func() *corev1.Pod {
		p := Pod(upload, ownClaim(upload, corev1.ClaimBound), Source{Kind: SourceUpload}, nil, 0, policy.Pod)
		running(p)
		return p
	}
	tests := []struct {
		name string
		o    Observed
		want want
	}{
		{"unsupported s3: Failed", observe(dvWith(&cdiv1beta1.DataVolumeSource{S3: &cdiv1beta1.DataVolumeSourceS3{URL: "s3://b/o"}}), nil, nil),
			want{phase: cdiv1beta1.Failed, progress: "N/A", running: cond{"False", ReasonUnsupportedSource, "kvirt's DataVolume controller imports from http, registry, blank, pvc, upload " +
				"and sourceRef only (s3, gcs, imageio, vddk and snapshot need CDI)"}, ready: "False",
				bound: ReasonNotFound, events: []string{ReasonUnsupportedSource}}},
		{"cross-namespace clone: Failed", observe(cloneDV("other"), nil, nil), want{phase: cdiv1beta1.Failed, progress: "N/A",
			running: cond{"False", ReasonCrossNamespace, "cloning other/golden into namespace ns: kvirt clones within one namespace only"}, ready: "False", bound: ReasonNotFound, events: []string{ReasonCrossNamespace}}},
		{"clone without its source: Pending", observe(cloneDV(""), nil, nil), want{phase: cdiv1beta1.Pending, progress: "N/A",
			running: cond{"False", ReasonCloneWithoutSource, "source PVC ns/golden not found"}, ready: "False", bound: ReasonNotFound,
			events: []string{"Pending", ReasonCloneWithoutSource}, requeueAfter: waitRecheck}},
		{"clone: claim and clone pod", withSource(observe(cloneDV("ns"), nil, nil), goldenClaim()), want{phase: cdiv1beta1.CloneScheduled,
			createClaim: true, createPod: true, progress: "N/A", running: cond{status: "False"}, ready: "False", bound: ReasonPending,
			events: []string{"CloneScheduled"}}},
		{"blank", observe(dvWith(&cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}}), nil, nil),
			want{phase: cdiv1beta1.ImportScheduled, createClaim: true, createPod: true, progress: "N/A", running: cond{status: "False"},
				ready: "False", bound: ReasonPending, events: []string{"ImportScheduled"}}},
		{"upload server running: UploadReady", observe(withStatus(upload, cdiv1beta1.UploadScheduled, 0), ownClaim(upload, corev1.ClaimBound),
			uploadPod()), want{phase: cdiv1beta1.UploadReady, progress: "N/A", running: cond{"True", ReasonPodRunning, UploadPendingMessage},
			ready: "False", bound: ReasonBound, events: []string{"UploadReady", "Bound"}}},
		{"foreign claim: refused", observe(httpDV(), foreign, nil), want{phase: cdiv1beta1.Pending, progress: "N/A",
			running: cond{status: "False"}, ready: "False", bound: ReasonResourceExists, events: []string{"Pending", "Bound", ReasonResourceExists}}},
		{"populated claim: adopted as Succeeded", observe(httpDV(), adopted, nil), want{phase: cdiv1beta1.Succeeded, progress: "100.0%",
			running: cond{"False", ReasonCompleted, ""}, ready: "True", bound: ReasonBound, events: []string{"ImportSucceeded", "Bound"}}},
		{"WaitForFirstConsumer honoured, new: the claim only", wffc(observe(httpDV(), nil, nil)),
			want{phase: cdiv1beta1.WaitForFirstConsumer, createClaim: true, progress: "N/A", running: cond{status: "False"}, ready: "False",
				bound: ReasonPending, events: []string{"WaitForFirstConsumer"}}},
		{"WaitForFirstConsumer honoured: no pod", wffc(observe(httpDV(), ownClaim(httpDV(), corev1.ClaimPending), nil)),
			want{phase: cdiv1beta1.WaitForFirstConsumer, progress: "N/A", running: cond{status: "False"}, ready: "False", bound: ReasonPending,
				events: []string{"WaitForFirstConsumer"}}},
	}
	runDecide(t, tests)
}

func TestResolveSourceRef(t *testing.T) {
	ds := func(ns, name string, src cdiv1beta1.DataSourceSource) *cdiv1beta1.DataSource {
		return &cdiv1beta1.DataSource{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: cdiv1beta1.DataSourceSpec{Source: src}}
	}
	sources := map[string]*cdiv1beta1.DataSource{
		"ns/fedora":  ds("ns", "fedora", cdiv1beta1.DataSourceSource{PVC: &cdiv1beta1.DataVolumeSourcePVC{Name: "golden"}}),
		"ns/latest":  ds("ns", "latest", cdiv1beta1.DataSourceSource{DataSource: &cdiv1beta1.DataSourceRefSourceDataSource{Name: "fedora"}}),
		"ns/snap":    ds("ns", "snap", cdiv1beta1.DataSourceSource{Snapshot: &cdiv1beta1.DataVolumeSourceSnapshot{Name: "s"}}),
		"os/images":  ds("os", "images", cdiv1beta1.DataSourceSource{PVC: &cdiv1beta1.DataVolumeSourcePVC{Name: "golden"}}),
		"ns/loop":    ds("ns", "loop", cdiv1beta1.DataSourceSource{DataSource: &cdiv1beta1.DataSourceRefSourceDataSource{Name: "latest"}}),
		"ns/nothing": ds("ns", "nothing", cdiv1beta1.DataSourceSource{}),
	}
	get := func(ns, name string) *cdiv1beta1.DataSource { return sources[ns+"/"+name] }
	for _, tc := range []struct {
		ref, refNS string
		claim      string
		reason     string
		terminal   bool
	}{
		{ref: "fedora", claim: "ns/golden"},
		{ref: "latest", claim: "ns/golden"},
		{ref: "missing", reason: ReasonDataSourceNotFound},
		{ref: "nothing", reason: ReasonDataSourceNotReady},
		{ref: "snap", reason: ReasonUnsupportedSource, terminal: true},
		{ref: "images", refNS: "os", reason: ReasonCrossNamespace, terminal: true},
		{ref: "loop", reason: ReasonInvalidSpec, terminal: true},
	} {
		dv := httpDV()
		dv.Spec.Source = nil
		dv.Spec.SourceRef = &cdiv1beta1.DataVolumeSourceRef{Kind: cdiv1beta1.DataSourceKind, Name: tc.ref, Namespace: tc.refNS}
		src, prob := ResolveSource(dv, get)
		switch {
		case tc.reason == "" && (prob != nil || src.Kind != SourcePVC || src.ClaimNamespace+"/"+src.ClaimName != tc.claim):
			t.Errorf("%s: %+v %v, want clone of %s", tc.ref, src, prob, tc.claim)
		case tc.reason != "" && (prob == nil || prob.Reason != tc.reason || prob.Terminal != tc.terminal):
			t.Errorf("%s: %v, want %s terminal %v", tc.ref, prob, tc.reason, tc.terminal)
		}
	}
}

func TestBackoff(t *testing.T) {
	for failures, want := range map[int32]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second,
		5: 160 * time.Second, 6: MaxRetryBackoff, 30: MaxRetryBackoff} {
		if got := backoff(10*time.Second, failures); got != want {
			t.Errorf("backoff after %d failures = %v, want %v", failures, got, want)
		}
	}
}

func TestProgress(t *testing.T) {
	for raw, want := range map[string]cdiv1beta1.DataVolumeProgress{"45.2": "45.20%", "100": "100.00%", "0": "0.00%", "": "", "x": "", "101": ""} {
		if got := progress(raw); got != want {
			t.Errorf("progress(%q) = %q, want %q", raw, got, want)
		}
	}
}
