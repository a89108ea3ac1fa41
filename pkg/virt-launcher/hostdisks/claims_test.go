package hostdisks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func claimLayout(t *testing.T) Layout {
	root := t.TempDir()
	return Layout{PVCDir: filepath.Join(root, "pvc"), BlockDir: filepath.Join(root, "dev"),
		ScratchDir: filepath.Join(root, "scratch"), ConfigDir: filepath.Join(root, "config")}
}

func TestClaimImage(t *testing.T) {
	l := claimLayout(t)
	dir := filepath.Join(l.PVCDir, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := Resolve(vmiWith(virtv1.Volume{Name: "data", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{
		ClaimName: "claim"}}), l)
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	want := ClaimImageSize(int64(st.Blocks)*st.Bsize, 0)
	fi, err := os.Stat(filepath.Join(dir, "disk.img"))
	if err != nil || fi.Size() != want || r.Volumes["data"].Path != filepath.Join(dir, "disk.img") || r.Volumes["data"].Format != "raw" {
		t.Fatalf("disk.img %v (want %d bytes), %+v: %v", fi, want, r.Volumes["data"], err)
	}
}

// TestClaimImageCappedByCapacity: on a filesystem larger than the claim (the
// test's temporary directory), disk.img is sized to the claim's capacity.
func TestClaimImageCappedByCapacity(t *testing.T) {
	l := claimLayout(t)
	l.ClaimCapacity = map[string]int64{"data": 64 << 20}
	dir := filepath.Join(l.PVCDir, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(vmiWith(virtv1.Volume{Name: "data", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{
		ClaimName: "claim"}}), l); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "disk.img"))
	if err != nil || fi.Size() != 60<<20 {
		t.Fatalf("disk.img %v, want 60 MiB (64 MiB less 5.5 %%): %v", fi, err)
	}
}

func TestClaimImageSize(t *testing.T) {
	if got := ClaimImageSize(10<<30, 0.055); got != 9676<<20 {
		t.Errorf("10Gi at 5.5%% = %d", got)
	}
	if got := ClaimImageSize(1<<30, 0.5); got != 512<<20 {
		t.Errorf("1Gi at 50%% = %d", got)
	}
}

func TestClaimReadOnlyIsNotCreated(t *testing.T) {
	l := claimLayout(t)
	if err := os.MkdirAll(filepath.Join(l.PVCDir, "ro"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Resolve(vmiWith(virtv1.Volume{Name: "ro", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{
		ClaimName: "c", ReadOnly: ptr.To(true)}}), l)
	if err == nil || !strings.Contains(err.Error(), "neither") {
		t.Fatalf("read-only empty claim: %v", err)
	}
	if _, err := os.Stat(filepath.Join(l.PVCDir, "ro", "disk.img")); err == nil {
		t.Error("disk.img was created in a read-only claim")
	}
}

// projected lays out dir as the kubelet does: a timestamped directory, a
// ..data link to it and one link per key.
func projected(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	data := filepath.Join(dir, "..2026_12_01_00_00_00.000000001")
	for name, content := range files {
		writeFile(t, filepath.Join(data, name), []byte(content))
	}
	if err := os.Symlink(filepath.Base(data), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	for name := range files {
		top := strings.SplitN(name, "/", 2)[0]
		link := filepath.Join(dir, top)
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join("..data", top), link); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConfigDisks(t *testing.T) {
	l := claimLayout(t)
	projected(t, filepath.Join(l.ConfigDir, "cm"), map[string]string{"motd": "hello from a configmap\n", "sub/x.conf": "x=1\n"})
	projected(t, filepath.Join(l.ConfigDir, "sec"), map[string]string{"password": "s3cret"})
	tests := []struct {
		vol       virtv1.Volume
		label     string
		contained []string
	}{
		{virtv1.Volume{Name: "cm", ConfigMap: &virtv1.ConfigMapVolumeSource{Name: "cm1"}}, "cfgdata",
			[]string{"hello from a configmap", "x=1", "MOTD", "SUB"}},
		{virtv1.Volume{Name: "sec", Secret: &virtv1.SecretVolumeSource{SecretName: "s", VolumeLabel: "mysecret"}}, "MYSECRET",
			[]string{"s3cret"}},
	}
	for _, tc := range tests {
		t.Run(tc.vol.Name, func(t *testing.T) {
			r, err := Resolve(vmiWith(tc.vol), l)
			if err != nil {
				t.Fatal(err)
			}
			v := r.Volumes[tc.vol.Name]
			raw, err := os.ReadFile(v.Path)
			if err != nil || !v.ReadOnly {
				t.Fatalf("%+v: %v", v, err)
			}
			pvd := string(raw[16*2048 : 17*2048])
			if !strings.Contains(strings.ToUpper(pvd[40:72]), strings.ToUpper(tc.label)) {
				t.Errorf("label %q, want %q", pvd[40:72], tc.label)
			}
			for _, s := range tc.contained {
				if !strings.Contains(strings.ToUpper(string(raw)), strings.ToUpper(s)) {
					t.Errorf("image lacks %q", s)
				}
			}
			if strings.Contains(string(raw), "..data") || strings.Contains(string(raw), "2026_12") {
				t.Error("the kubelet's own entries went into the image")
			}
		})
	}
}

func TestConfigDiskMissingDirectory(t *testing.T) {
	l := claimLayout(t)
	_, err := Resolve(vmiWith(virtv1.Volume{Name: "gone", DownwardAPI: &virtv1.DownwardAPIVolumeSource{}}), l)
	if err == nil || !strings.Contains(err.Error(), `volume "gone"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestCloudInitFromSecrets(t *testing.T) {
	l := claimLayout(t)
	projected(t, filepath.Join(l.ConfigDir, "ci.userdata"), map[string]string{"userData": "#cloud-config\nfrom: secret\n"})
	projected(t, filepath.Join(l.ConfigDir, "ci.networkdata"), map[string]string{"networkdata": "version: 2\n"})
	ref := func(n string) *corev1.LocalObjectReference { return &corev1.LocalObjectReference{Name: n} }
	for _, v := range []virtv1.Volume{
		{Name: "ci", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{SecretRef: ref("u"), NetworkDataSecretRef: ref("n")}},
		{Name: "ci", CloudInitConfigDrive: &virtv1.CloudInitConfigDriveSource{SecretRef: ref("u"), NetworkDataSecretRef: ref("n")}},
	} {
		r, err := Resolve(vmiWith(v), l)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(r.Volumes["ci"].Path)
		if err != nil || !strings.Contains(string(raw), "from: secret") || !strings.Contains(string(raw), "version: 2") {
			t.Errorf("%+v: seed lacks the Secrets' data (%v)", v, err)
		}
	}
	_, err := Resolve(vmiWith(virtv1.Volume{Name: "other", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{SecretRef: ref("u")}}), l)
	if err == nil || !strings.Contains(err.Error(), "no userdata key") {
		t.Errorf("missing Secret: %v", err)
	}
}

// An optional ConfigMap that does not exist is an empty directory: an empty disk.
func TestConfigDiskEmpty(t *testing.T) {
	l := claimLayout(t)
	if err := os.MkdirAll(filepath.Join(l.ConfigDir, "opt"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := Resolve(vmiWith(virtv1.Volume{Name: "opt", ConfigMap: &virtv1.ConfigMapVolumeSource{Name: "none", Optional: ptr.To(true)}}), l)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(r.Volumes["opt"].Path)
	if err != nil || string(raw[16*2048+1:16*2048+6]) != "CD001" {
		t.Fatalf("empty config disk: %v", err)
	}
}
