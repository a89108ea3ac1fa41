package hostdisks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-launcher/cloudinit"
	"kvirt.io/kvirt/pkg/virt-launcher/domain"
)

// Layout is where a launcher's volumes appear on its host.
type Layout struct {
	// ContainerDiskDir holds one directory per containerDisk volume, named like
	// the volume, with the image's files (the disk under disk/ or at the top).
	ContainerDiskDir string
	// KernelBootDir holds the kernelBoot container's files.
	KernelBootDir string
	// PVCDir holds <volume>/disk.img for filesystem persistent volumes, and
	// <volume>/<file> for a hostDisk (its host directory is mounted there).
	PVCDir string
	// ConfigDir holds one directory per configMap, secret, serviceAccount or
	// downwardAPI volume; each becomes an ISO 9660 disk.
	ConfigDir string
	// FilesystemOverhead is the fraction of a filesystem claim kept free when
	// disk.img is created (upstream's default 0.055).
	FilesystemOverhead float64
	// ClaimCapacity is each filesystem claim's capacity in bytes by volume
	// name: disk.img is sized to it when the mounted filesystem is larger.
	ClaimCapacity map[string]int64
	// BlockDir holds a device node per block-mode persistent volume.
	BlockDir string
	// ScratchDir is private to the launcher: empty disks and cloud-init seeds.
	ScratchDir string
}

// Resolved is the host side of a VMI's volumes plus its kernelBoot artefacts.
type Resolved struct {
	Volumes    map[string]domain.VolumeSource
	KernelPath string
	InitrdPath string
}

// Resolve finds or creates every volume the VMI's disks use.
func Resolve(vmi *virtv1.VirtualMachineInstance, l Layout) (Resolved, error) {
	out := Resolved{Volumes: map[string]domain.VolumeSource{}}
	volumes := map[string]*virtv1.Volume{}
	for i := range vmi.Spec.Volumes {
		volumes[vmi.Spec.Volumes[i].Name] = &vmi.Spec.Volumes[i]
	}
	for _, d := range vmi.Spec.Domain.Devices.Disks {
		v, ok := volumes[d.Name]
		if !ok {
			return out, fmt.Errorf("disk %q: no volume of that name", d.Name)
		}
		src, err := resolveVolume(vmi, v, l)
		if err != nil {
			return out, fmt.Errorf("disk %q: %w", d.Name, err)
		}
		out.Volumes[d.Name] = src
	}
	if fw := vmi.Spec.Domain.Firmware; fw != nil && fw.KernelBoot != nil && fw.KernelBoot.Container != nil {
		c := fw.KernelBoot.Container
		var err error
		if c.KernelPath != "" {
			if out.KernelPath, err = existing(filepath.Join(l.KernelBootDir, c.KernelPath)); err != nil {
				return out, fmt.Errorf("kernelBoot kernel: %w", err)
			}
		}
		if c.InitrdPath != "" {
			if out.InitrdPath, err = existing(filepath.Join(l.KernelBootDir, c.InitrdPath)); err != nil {
				return out, fmt.Errorf("kernelBoot initrd: %w", err)
			}
		}
	}
	return out, nil
}

func resolveVolume(vmi *virtv1.VirtualMachineInstance, v *virtv1.Volume, l Layout) (domain.VolumeSource, error) {
	switch {
	case v.ContainerDisk != nil:
		return containerDisk(v, l)
	case v.HostDisk != nil:
		return hostDisk(v.Name, v.HostDisk, l)
	case v.PersistentVolumeClaim != nil:
		ro := v.PersistentVolumeClaim.ReadOnly != nil && *v.PersistentVolumeClaim.ReadOnly
		src, err := persistent(v.Name, l, !ro)
		src.ReadOnly = ro
		return src, err
	case v.DataVolume != nil:
		return persistent(v.Name, l, true)
	case v.Ephemeral != nil:
		src, err := persistent(v.Name, l, false)
		src.Transient = true
		return src, err
	case v.ConfigMap != nil || v.Secret != nil || v.ServiceAccount != nil || v.DownwardAPI != nil:
		return configDisk(v, l)
	case v.EmptyDisk != nil:
		return emptyDisk(v, l)
	case v.CloudInitNoCloud != nil:
		return noCloud(vmi, v, l)
	case v.CloudInitConfigDrive != nil:
		src, err := configDriveFromSecrets(l, v.Name, v.CloudInitConfigDrive)
		if err != nil {
			return domain.VolumeSource{}, err
		}
		img, err := cloudinit.ConfigDriveISO(vmi, src)
		return seedImage(l, v.Name+"-configdrive.iso", img, err)
	}
	return domain.VolumeSource{}, fmt.Errorf("volume %q: this volume type is not supported on this node", v.Name)
}

func noCloud(vmi *virtv1.VirtualMachineInstance, v *virtv1.Volume, l Layout) (domain.VolumeSource, error) {
	src, err := noCloudFromSecrets(l, v.Name, v.CloudInitNoCloud)
	if err != nil {
		return domain.VolumeSource{}, err
	}
	seed, err := cloudinit.NoCloudSeed(vmi, src)
	if err != nil {
		return domain.VolumeSource{}, err
	}
	img, err := seed.ISO()
	return seedImage(l, v.Name+"-nocloud.iso", img, err)
}

func existing(path string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s: no such file", path)
		}
		return "", fmt.Errorf("stat %s: %w", path, err)
	}
	return path, nil
}

func containerDisk(v *virtv1.Volume, l Layout) (domain.VolumeSource, error) {
	dir := filepath.Join(l.ContainerDiskDir, v.Name)
	var path string
	if v.ContainerDisk.Path != "" {
		path = filepath.Join(dir, v.ContainerDisk.Path)
	} else {
		path = firstFile(filepath.Join(dir, "disk"))
		if path == "" {
			path = firstFile(dir)
		}
		if path == "" {
			path = filepath.Join(dir, "disk", "disk.img")
		}
	}
	if _, err := existing(path); err != nil {
		return domain.VolumeSource{}, fmt.Errorf("containerDisk volume %q (%s): %w", v.Name, v.ContainerDisk.Image, err)
	}
	format, err := detectFormat(path)
	if err != nil {
		return domain.VolumeSource{}, err
	}
	overlay := filepath.Join(l.ScratchDir, "containerdisk-"+v.Name+".qcow2")
	if _, err := os.Stat(overlay); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(l.ScratchDir, 0o755); err != nil {
			return domain.VolumeSource{}, fmt.Errorf("create %s: %w", l.ScratchDir, err)
		}
		if err := CreateOverlay(path, format, overlay); err != nil {
			return domain.VolumeSource{}, fmt.Errorf("containerDisk volume %q: %w", v.Name, err)
		}
	}
	return domain.VolumeSource{Path: overlay, Format: "qcow2"}, nil
}

// CreateOverlay writes a qcow2 image at overlay whose backing file is base
// (of format): a containerDisk's guest writes go there, in the pod, and are
// lost with it, while the image stays read-only. Unlike libvirt's
// <transient/> disks, such an overlay is an ordinary file a live migration
// copies (the target has the same base). A variable for tests.
var CreateOverlay = func(base, format, overlay string) error {
	out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", format, "-b", base, overlay).CombinedOutput()
	if err != nil {
		return fmt.Errorf("create overlay %s of %s: %w: %s", overlay, base, err, bytes.TrimSpace(out))
	}
	return nil
}

func firstFile(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if e.Type().IsRegular() {
			return filepath.Join(dir, e.Name())
		}
	}
	return ""
}

var qcow2Magic = []byte{'Q', 'F', 'I', 0xfb}

func detectFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 4)
	if n, _ := f.Read(head); n == 4 && bytes.Equal(head, qcow2Magic) {
		return "qcow2", nil
	}
	return "raw", nil
}

// hostDisk finds (DiskOrCreate: creates) the image in its host directory,
// which the launcher pod mounts at PVCDir/<volume>.
func hostDisk(name string, h *virtv1.HostDisk, l Layout) (domain.VolumeSource, error) {
	file := filepath.Join(l.PVCDir, name, filepath.Base(h.Path))
	if h.Type == "DiskOrCreate" {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			if h.Capacity == nil {
				return domain.VolumeSource{}, fmt.Errorf("hostDisk %s: DiskOrCreate needs a capacity", h.Path)
			}
			if err := sparseFile(file, h.Capacity.Value()); err != nil {
				return domain.VolumeSource{}, err
			}
		}
	}
	path, err := existing(file)
	if err != nil {
		return domain.VolumeSource{}, fmt.Errorf("hostDisk: %w", err)
	}
	format, err := detectFormat(path)
	return domain.VolumeSource{Path: path, Format: format}, err
}

// persistent is a claim's disk.img (created sparse in an empty writable
// filesystem claim) or its block device.
func persistent(name string, l Layout, writable bool) (domain.VolumeSource, error) {
	img := filepath.Join(l.PVCDir, name, "disk.img")
	if _, err := os.Stat(img); errors.Is(err, fs.ErrNotExist) && writable {
		if err := createClaimImage(filepath.Dir(img), img, l.ClaimCapacity[name], l.FilesystemOverhead); err != nil {
			return domain.VolumeSource{}, err
		}
	}
	if _, err := os.Stat(img); err == nil {
		format, err := detectFormat(img)
		return domain.VolumeSource{Path: img, Format: format}, err
	}
	dev := filepath.Join(l.BlockDir, name)
	if st, err := os.Stat(dev); err == nil && st.Mode()&os.ModeDevice != 0 {
		return domain.VolumeSource{Path: dev, Format: "raw", Block: true}, nil
	}
	return domain.VolumeSource{}, fmt.Errorf("persistent volume %q: neither %s nor a block device %s exists", name, img, dev)
}

func emptyDisk(v *virtv1.Volume, l Layout) (domain.VolumeSource, error) {
	if v.EmptyDisk.Capacity == nil {
		return domain.VolumeSource{}, fmt.Errorf("emptyDisk volume %q: capacity is required", v.Name)
	}
	path := filepath.Join(l.ScratchDir, "empty-"+v.Name+".img")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := sparseFile(path, v.EmptyDisk.Capacity.Value()); err != nil {
			return domain.VolumeSource{}, err
		}
	}
	return domain.VolumeSource{Path: path, Format: "raw"}, nil
}

func sparseFile(path string, size int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create directory for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("size %s: %w", path, err)
	}
	return nil
}

// seedImage writes a generated cloud-init image into the scratch directory.
func seedImage(l Layout, name string, img []byte, buildErr error) (domain.VolumeSource, error) {
	if buildErr != nil {
		return domain.VolumeSource{}, buildErr
	}
	path := filepath.Join(l.ScratchDir, name)
	if err := os.MkdirAll(l.ScratchDir, 0o700); err != nil {
		return domain.VolumeSource{}, fmt.Errorf("create scratch dir: %w", err)
	}
	if err := os.WriteFile(path, img, 0o600); err != nil {
		return domain.VolumeSource{}, fmt.Errorf("write cloud-init seed: %w", err)
	}
	return domain.VolumeSource{Path: path, Format: "raw", ReadOnly: true}, nil
}
