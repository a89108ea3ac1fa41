package imageupload

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

func TestSetArgs(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		kind, name, er string
	}{
		{args: []string{"dv", "d1"}, kind: KindDV, name: "d1"},
		{args: []string{"PVC", "p1"}, kind: KindPVC, name: "p1"},
		{args: []string{"dv"}, er: "expecting two args"},
		{args: nil, er: "expecting two args"},
		{args: []string{"vm", "x"}, er: `invalid resource type "vm"`},
	} {
		o := &Options{}
		err := o.SetArgs(tc.args)
		if tc.er != "" {
			if err == nil || !strings.Contains(err.Error(), tc.er) {
				t.Errorf("SetArgs(%v) = %v, want %q", tc.args, err, tc.er)
			}
			continue
		}
		if err != nil || o.Kind != tc.kind || o.Name != tc.name {
			t.Errorf("SetArgs(%v) = %v, %q %q", tc.args, err, o.Kind, o.Name)
		}
	}
}

func valid() Options {
	return Options{Kind: KindDV, Name: "d", ImagePath: "/tmp/x.qcow2", Size: "1Gi", WaitSecs: defaultWaitSecs}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{name: "valid", mod: func(*Options) {}},
		{name: "no image", mod: func(o *Options) { o.ImagePath = "" }, want: "--image-path is required"},
		{name: "no size", mod: func(o *Options) { o.Size = "" }, want: "--size is required"},
		{name: "no size with no-create", mod: func(o *Options) { o.Size, o.NoCreate = "", true }},
		{name: "bad size", mod: func(o *Options) { o.Size = "lots" }, want: `--size "lots" is not a quantity`},
		{name: "zero size", mod: func(o *Options) { o.Size = "0" }, want: "must be positive"},
		{name: "block", mod: func(o *Options) { o.VolumeMode = "Block" }},
		{name: "bad mode", mod: func(o *Options) { o.VolumeMode = "disk" }, want: "--volume-mode \"disk\""},
		{name: "rwx", mod: func(o *Options) { o.AccessMode = "ReadWriteMany" }},
		{name: "bad access", mod: func(o *Options) { o.AccessMode = "rwo" }, want: "--access-mode \"rwo\""},
		{name: "no wait", mod: func(o *Options) { o.WaitSecs = 0 }, want: "--wait-secs"},
		{name: "proxy url accepted", mod: func(o *Options) { o.UploadProxyURL = "https://proxy" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := valid()
			tc.mod(&o)
			err := o.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDataVolume(t *testing.T) {
	o := valid()
	o.StorageClass, o.VolumeMode, o.AccessMode = "fast", "block", "ReadWriteOnce"
	dv, err := o.DataVolume("ns")
	if err != nil {
		t.Fatal(err)
	}
	if dv.APIVersion != "cdi.kubevirt.io/v1beta1" || dv.Kind != "DataVolume" || dv.Name != "d" || dv.Namespace != "ns" {
		t.Errorf("meta %+v %+v", dv.TypeMeta, dv.ObjectMeta)
	}
	if dv.Spec.Source == nil || dv.Spec.Source.Upload == nil {
		t.Errorf("source %+v, want upload", dv.Spec.Source)
	}
	s := dv.Spec.Storage
	if got := s.Resources.Requests[corev1.ResourceStorage]; got.Cmp(resource.MustParse("1Gi")) != 0 {
		t.Errorf("size %s", got.String())
	}
	if s.StorageClassName != "fast" || s.VolumeMode == nil || *s.VolumeMode != corev1.PersistentVolumeBlock ||
		len(s.AccessModes) != 1 || s.AccessModes[0] != "ReadWriteOnce" {
		t.Errorf("storage %+v", s)
	}
	o = valid()
	dv, _ = o.DataVolume("ns")
	if dv.Spec.Storage.VolumeMode != nil || dv.Spec.Storage.AccessModes != nil || dv.Spec.Storage.StorageClassName != "" {
		t.Errorf("defaults not left to the cluster: %+v", dv.Spec.Storage)
	}
}

func TestUsable(t *testing.T) {
	upload := &cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}}
	blank := &cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}}
	for _, tc := range []struct {
		src         *cdiv1beta1.DataVolumeSource
		phase       cdiv1beta1.DataVolumePhase
		want        string
		ready, done bool
	}{
		{src: upload, phase: cdiv1beta1.UploadScheduled},
		{src: upload, phase: cdiv1beta1.UploadReady, ready: true},
		{src: upload, phase: cdiv1beta1.Succeeded, want: "uploaded already", done: true},
		{src: upload, phase: cdiv1beta1.Failed, want: "failed: disk full"},
		{src: blank, phase: cdiv1beta1.Pending, want: "not an upload DataVolume"},
		{src: nil, phase: cdiv1beta1.Pending, want: "not an upload DataVolume"},
	} {
		dv := &cdiv1beta1.DataVolume{Spec: cdiv1beta1.DataVolumeSpec{Source: tc.src}}
		dv.Name, dv.Namespace, dv.Status.Phase = "d", "ns", tc.phase
		dv.Status.Conditions = []cdiv1beta1.DataVolumeCondition{{Type: cdiv1beta1.DataVolumeRunning, Message: "disk full"}}
		err := usable(dv)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("usable(%s) = %v, want %q", tc.phase, err, tc.want)
		}
		if ready, _ := readyForUpload(dv); ready != tc.ready {
			t.Errorf("readyForUpload(%s) = %v", tc.phase, ready)
		}
		if done, _ := processed(dv); done != tc.done {
			t.Errorf("processed(%s) = %v", tc.phase, done)
		}
	}
}
