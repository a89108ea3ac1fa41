package datavolume

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

func TestClaim(t *testing.T) {
	block := corev1.PersistentVolumeBlock
	rwx := "ReadWriteMany"
	storage := func(size string, mode *corev1.PersistentVolumeMode, modes ...string) *cdiv1beta1.DataVolume {
		dv := httpDV()
		dv.Spec.Storage = &cdiv1beta1.StorageSpec{AccessModes: modes, VolumeMode: mode, StorageClassName: "fast"}
		if size != "" {
			dv.Spec.Storage.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}
		}
		return dv
	}
	pvcAPI := httpDV()
	pvcAPI.Spec.Storage = nil
	pvcAPI.Spec.PVC = &corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany},
		Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}
	for _, tc := range []struct {
		name   string
		dv     *cdiv1beta1.DataVolume
		source *corev1.PersistentVolumeClaim
		size   string
		modes  []corev1.PersistentVolumeAccessMode
		mode   corev1.PersistentVolumeMode
		reason string
	}{
		{"storage: RWO Filesystem, 5.5% overhead rounded up to a MiB", storage("1Gi", nil), nil, "1084Mi",
			[]corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, corev1.PersistentVolumeFilesystem, ""},
		{"storage: 10Gi", storage("10Gi", nil), nil, "10836Mi", []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			corev1.PersistentVolumeFilesystem, ""},
		{"storage Block: no overhead, modes kept", storage("1Gi", &block, rwx), nil, "1Gi",
			[]corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}, corev1.PersistentVolumeBlock, ""},
		{"storage clone without size: the source's capacity", storage("", &block), goldenClaim(), "2Gi",
			[]corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, corev1.PersistentVolumeBlock, ""},
		{"pvc: as given", pvcAPI, nil, "1Gi", []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany}, "", ""},
		{"no size", storage("", nil), nil, "", nil, "", ReasonInvalidSpec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, prob := Claim(tc.dv, Source{Kind: SourceHTTP, Endpoint: "http://srv/disk.qcow2"}, tc.source, 0.055)
			if tc.reason != "" {
				if prob == nil || prob.Reason != tc.reason {
					t.Fatalf("problem %v, want %s", prob, tc.reason)
				}
				return
			}
			if prob != nil {
				t.Fatal(prob)
			}
			got := c.Spec.Resources.Requests[corev1.ResourceStorage]
			if want := resource.MustParse(tc.size); got.Cmp(want) != 0 {
				t.Errorf("size %s, want %s", got.String(), tc.size)
			}
			if !reflect.DeepEqual(c.Spec.AccessModes, tc.modes) {
				t.Errorf("access modes %v, want %v", c.Spec.AccessModes, tc.modes)
			}
			if tc.mode != "" && (c.Spec.VolumeMode == nil || *c.Spec.VolumeMode != tc.mode) {
				t.Errorf("volume mode %v, want %s", c.Spec.VolumeMode, tc.mode)
			}
			if c.Name != "disk" || !ownedBy(c.OwnerReferences, tc.dv) || c.Annotations[AnnSource] != "http" ||
				c.Annotations[AnnEndpoint] != "http://srv/disk.qcow2" || c.Annotations[AnnCreatedForDV] != "dv-uid" {
				t.Errorf("claim meta %+v", c.ObjectMeta)
			}
		})
	}
}

func TestImageSize(t *testing.T) {
	dv := httpDV()
	fs := ownClaim(dv, corev1.ClaimPending)
	if got := ImageSize(fs, 0.055); got != 1024<<20 {
		t.Errorf("1Gi storage request: image %d, want the 1Gi asked for", got)
	}
	if got := ImageSize(goldenClaim(), 0.055); got != 2<<30 {
		t.Errorf("block: image %d, want the whole 2Gi", got)
	}
}

func TestPodHTTP(t *testing.T) {
	dv := httpDV()
	dv.Spec.Source.HTTP.SecretRef, dv.Spec.Source.HTTP.CERTConfigMap = "creds", "ca"
	dv.Spec.PriorityClassName = "low"
	src, _ := ResolveSource(dv, noDataSources)
	p := Pod(dv, ownClaim(dv, corev1.ClaimPending), src, nil, 2, policy.Pod)
	c := p.Spec.Containers[0]
	wantArgs := []string{"--source=http", "--endpoint=http://srv/disk.qcow2", "--dest=/data/disk.img",
		"--image-size=1073741824", "--content-type=kubevirt", "--cert-dir=/certs", "--progress-listen=:8443"}
	if !reflect.DeepEqual(c.Args, wantArgs) {
		t.Errorf("args %q, want %q", c.Args, wantArgs)
	}
	if p.Name != "importer-disk" || c.Name != "importer" || c.Image != "kvirt.local/importer:t" || p.Spec.RestartPolicy != corev1.RestartPolicyNever ||
		p.Labels[LabelApp] != LabelAppValue || p.Labels[LabelImportPVC] != "disk" || p.Annotations[AnnAttempt] != "2" ||
		!ownedBy(p.OwnerReferences, dv) || p.Spec.PriorityClassName != "low" {
		t.Errorf("pod meta %+v spec %+v", p.ObjectMeta, p.Spec)
	}
	sc := c.SecurityContext
	if *p.Spec.SecurityContext.RunAsUser != 107 || *sc.RunAsUser != 107 || !*sc.RunAsNonRoot || *sc.AllowPrivilegeEscalation || !*sc.ReadOnlyRootFilesystem ||
		!reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("security %+v", sc)
	}
	if c.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError || len(c.Ports) != 1 ||
		c.Ports[0].Name != "progress" || c.Ports[0].ContainerPort != 8443 {
		t.Errorf("termination policy %q ports %+v", c.TerminationMessagePolicy, c.Ports)
	}
	if len(c.Env) != 2 || c.Env[0].Name != "IMPORTER_ACCESS_KEY_ID" || c.Env[0].ValueFrom.SecretKeyRef.Key != "accessKeyId" ||
		c.Env[1].Name != "IMPORTER_SECRET_KEY" || c.Env[1].ValueFrom.SecretKeyRef.Key != "secretKey" || c.Env[1].ValueFrom.SecretKeyRef.Name != "creds" {
		t.Errorf("env %+v", c.Env)
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	if mounts[dataVolumeName] != "/data" || mounts[certVolumeName] != "/certs" || mounts[scratchName] != "/scratch" || len(p.Spec.Volumes) != 3 ||
		p.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "disk" || p.Spec.Volumes[1].ConfigMap.Name != "ca" {
		t.Errorf("mounts %v volumes %+v", mounts, p.Spec.Volumes)
	}
}

func TestPodBlockClone(t *testing.T) {
	block := corev1.PersistentVolumeBlock
	dv := cloneDV("ns")
	dv.Spec.Storage.VolumeMode = &block
	src, _ := ResolveSource(dv, noDataSources)
	claim, _ := Claim(dv, src, goldenClaim(), 0.055)
	p := Pod(dv, claim, src, goldenClaim(), 0, policy.Pod)
	c := p.Spec.Containers[0]
	args := strings.Join(c.Args, " ")
	for _, want := range []string{"--source=pvc", "--dest=/dev/cdi-block-volume", "--image-size=1073741824", "--source-path=/dev/cdi-source-block"} {
		if !strings.Contains(args, want) {
			t.Errorf("args %q lack %s", args, want)
		}
	}
	if strings.Contains(args, "--endpoint") || len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/scratch" || len(c.VolumeDevices) != 2 ||
		c.VolumeDevices[0].DevicePath != "/dev/cdi-block-volume" || c.VolumeDevices[1].DevicePath != "/dev/cdi-source-block" {
		t.Errorf("args %q mounts %+v devices %+v", args, c.VolumeMounts, c.VolumeDevices)
	}
	if v := p.Spec.Volumes[1].PersistentVolumeClaim; v.ClaimName != "golden" || !v.ReadOnly {
		t.Errorf("source volume %+v, want golden read-only", v)
	}
	if claim.Annotations[AnnCloneRequest] != "ns/golden" {
		t.Errorf("clone annotations %v", claim.Annotations)
	}
}

func TestPodFilesystemCloneAndUpload(t *testing.T) {
	dv := cloneDV("ns")
	fsSource := goldenClaim()
	fsSource.Spec.VolumeMode = nil
	src, _ := ResolveSource(dv, noDataSources)
	claim, _ := Claim(dv, src, fsSource, 0.055)
	p := Pod(dv, claim, src, fsSource, 0, policy.Pod)
	mounts := p.Spec.Containers[0].VolumeMounts
	if len(mounts) != 3 || mounts[1].MountPath != "/source" || !mounts[1].ReadOnly ||
		!strings.Contains(strings.Join(p.Spec.Containers[0].Args, " "), "--source-path=/source/disk.img") {
		t.Errorf("mounts %+v args %q", mounts, p.Spec.Containers[0].Args)
	}
	up := dvWith(&cdiv1beta1.DataVolumeSource{Upload: &cdiv1beta1.DataVolumeSourceUpload{}})
	usrc, _ := ResolveSource(up, noDataSources)
	u := Pod(up, ownClaim(up, corev1.ClaimPending), usrc, nil, 0, policy.Pod)
	uargs := strings.Join(u.Spec.Containers[0].Args, " ")
	if u.Name != "cdi-upload-disk" || u.Spec.Containers[0].Args[0] != "--source=upload" ||
		!strings.HasSuffix(uargs, "--upload-listen=:8443 --tls-cert=/tls/tls.crt --tls-key=/tls/tls.key --client-ca=/tls/ca.crt "+
			"--client-name=kvirt.io:upload-proxy") || strings.Contains(uargs, "--progress-listen") {
		t.Errorf("upload pod %s args %q", u.Name, uargs)
	}
	if v := u.Spec.Volumes[1]; v.Secret == nil || v.Secret.SecretName != "cdi-upload-disk-tls" {
		t.Errorf("upload TLS volume %+v", v)
	}
}
