package hostdisks

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func vmiWith(vols ...virtv1.Volume) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{}
	vmi.Name, vmi.Namespace = "vm", "ns"
	for _, v := range vols {
		vmi.Spec.Domain.Devices.Disks = append(vmi.Spec.Domain.Devices.Disks, virtv1.Disk{Name: v.Name})
		vmi.Spec.Volumes = append(vmi.Spec.Volumes, v)
	}
	return vmi
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestResolve(t *testing.T) {
	create := CreateOverlay
	CreateOverlay = func(base, format, overlay string) error {
		return os.WriteFile(overlay, []byte(base+" "+format), 0o600)
	}
	t.Cleanup(func() { CreateOverlay = create })
	root := t.TempDir()
	l := Layout{ContainerDiskDir: filepath.Join(root, "cd"), PVCDir: filepath.Join(root, "pvc"),
		BlockDir: filepath.Join(root, "dev"), ScratchDir: filepath.Join(root, "scratch"),
		KernelBootDir: filepath.Join(root, "kb")}
	writeFile(t, filepath.Join(l.ContainerDiskDir, "root", "disk", "image.qcow2"), append(qcow2Magic, 0, 0))
	writeFile(t, filepath.Join(l.PVCDir, "data", "disk.img"), []byte("raw"))
	writeFile(t, filepath.Join(l.KernelBootDir, "vmlinuz"), []byte("k"))
	tests := []struct {
		name    string
		vmi     *virtv1.VirtualMachineInstance
		check   func(t *testing.T, r Resolved)
		wantErr string
	}{{
		name: "container disk: qcow2 detected, a qcow2 overlay in the scratch dir",
		vmi:  vmiWith(virtv1.Volume{Name: "root", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img"}}),
		check: func(t *testing.T, r Resolved) {
			v := r.Volumes["root"]
			if v.Format != "qcow2" || v.Transient || v.Path != filepath.Join(l.ScratchDir, "containerdisk-root.qcow2") {
				t.Errorf("root = %+v", v)
			}
			if b, err := os.ReadFile(v.Path); err != nil || !strings.HasSuffix(string(b), "disk/image.qcow2 qcow2") {
				t.Errorf("overlay %q, %v", b, err)
			}
		},
	}, {
		name:    "missing container disk names the disk",
		vmi:     vmiWith(virtv1.Volume{Name: "other", ContainerDisk: &virtv1.ContainerDiskSource{Image: "img"}}),
		wantErr: `disk "other"`,
	}, {
		name: "pvc disk.img, read-only claim",
		vmi: vmiWith(virtv1.Volume{Name: "data", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{
			ClaimName: "c", ReadOnly: ptr.To(true)}}),
		check: func(t *testing.T, r Resolved) {
			if v := r.Volumes["data"]; v.Format != "raw" || !v.ReadOnly || v.Block {
				t.Errorf("data = %+v", v)
			}
		},
	}, {
		name:    "pvc without image or device",
		vmi:     vmiWith(virtv1.Volume{Name: "gone", PersistentVolumeClaim: &virtv1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}}),
		wantErr: "neither",
	}, {
		name: "empty disk is created sparse",
		vmi: vmiWith(virtv1.Volume{Name: "scratch", EmptyDisk: &virtv1.EmptyDiskSource{
			Capacity: ptr.To(resource.MustParse("1Mi"))}}),
		check: func(t *testing.T, r Resolved) {
			st, err := os.Stat(r.Volumes["scratch"].Path)
			if err != nil || st.Size() != 1<<20 {
				t.Errorf("empty disk %v, %v", st, err)
			}
		},
	}, {
		name: "host disk DiskOrCreate",
		vmi: vmiWith(virtv1.Volume{Name: "hd", HostDisk: &virtv1.HostDisk{Path: filepath.Join(root, "hd.img"),
			Type: "DiskOrCreate", Capacity: ptr.To(resource.MustParse("2Mi"))}}),
		check: func(t *testing.T, r Resolved) {
			p := r.Volumes["hd"].Path
			if st, err := os.Stat(p); err != nil || st.Size() != 2<<20 || p != filepath.Join(l.PVCDir, "hd", "hd.img") {
				t.Errorf("host disk %v, %v", st, err)
			}
		},
	}, {
		name:    "host disk Disk must exist",
		vmi:     vmiWith(virtv1.Volume{Name: "hd2", HostDisk: &virtv1.HostDisk{Path: filepath.Join(root, "none.img"), Type: "Disk"}}),
		wantErr: "no such file",
	}, {
		name: "cloud-init seed is written read-only",
		vmi:  vmiWith(virtv1.Volume{Name: "ci", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: "#!/bin/sh\n"}}),
		check: func(t *testing.T, r Resolved) {
			v := r.Volumes["ci"]
			raw, err := os.ReadFile(v.Path)
			if err != nil || !v.ReadOnly || len(raw) < 17*2048 || string(raw[16*2048+1:16*2048+6]) != "CD001" {
				t.Errorf("seed %+v: %v", v, err)
			}
		},
	}, {
		name: "config drive is written read-only",
		vmi:  vmiWith(virtv1.Volume{Name: "cd", CloudInitConfigDrive: &virtv1.CloudInitConfigDriveSource{UserData: "x"}}),
		check: func(t *testing.T, r Resolved) {
			v := r.Volumes["cd"]
			raw, err := os.ReadFile(v.Path)
			if err != nil || !v.ReadOnly || !strings.Contains(string(raw[16*2048:17*2048]), "config-2") {
				t.Errorf("config drive %+v: %v", v, err)
			}
		},
	}, {
		name: "kernel boot paths",
		vmi: func() *virtv1.VirtualMachineInstance {
			v := vmiWith()
			v.Spec.Domain.Firmware = &virtv1.Firmware{KernelBoot: &virtv1.KernelBoot{Container: &virtv1.KernelBootContainer{
				Image: "k", KernelPath: "/vmlinuz", InitrdPath: "/missing.img"}}}
			return v
		}(),
		wantErr: "kernelBoot initrd",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Resolve(tc.vmi, l)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r)
		})
	}
}

// TestCreateOverlayWithQemuImg makes a real overlay (qemu-img comes with the
// build and node packages) and reads its backing file back.
func TestCreateOverlayWithQemuImg(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed")
	}
	dir := t.TempDir()
	base, overlay := filepath.Join(dir, "base.img"), filepath.Join(dir, "overlay.qcow2")
	if err := os.WriteFile(base, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CreateOverlay(base, "raw", overlay); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("qemu-img", "info", "--output=json", overlay).Output()
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Format        string `json:"format"`
		Backing       string `json:"backing-filename"`
		BackingFormat string `json:"backing-filename-format"`
		VirtualSize   int64  `json:"virtual-size"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	if info.Format != "qcow2" || info.Backing != base || info.BackingFormat != "raw" || info.VirtualSize != 1<<20 {
		t.Errorf("overlay = %+v", info)
	}
}
