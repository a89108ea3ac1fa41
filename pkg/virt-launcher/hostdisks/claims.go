package hostdisks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-launcher/cloudinit"
	"kvirt.io/kvirt/pkg/virt-launcher/domain"
)

// DefaultFilesystemOverhead is upstream's default share of a filesystem claim
// left to the filesystem when disk.img is created.
const DefaultFilesystemOverhead = 0.055

const (
	imageAlign         = 1 << 20
	defaultConfigLabel = "cfgdata"
	maxConfigFileBytes = 64 << 20
)

// createClaimImage creates a sparse raw img sized to the claim's capacity
// (bytes; 0 when unknown) or the filesystem mounted at dir when that is
// smaller, less the overhead, rounded down to a MiB. A directory that is not
// there is not a mounted claim: nothing is created.
func createClaimImage(dir, img string, capacity int64, overhead float64) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("statfs %s: %w", dir, err)
	}
	total := int64(st.Blocks) * st.Bsize
	if capacity > 0 && capacity < total {
		// A volume on a larger filesystem (a host directory, a share) holds
		// no more than the claim asked for.
		total = capacity
	}
	size := ClaimImageSize(total, overhead)
	if size <= 0 {
		return fmt.Errorf("claim at %s: %d bytes leave no room for disk.img", dir, total)
	}
	return sparseFile(img, size)
}

// ClaimImageSize is the size createClaimImage gives disk.img in a claim of
// total bytes.
func ClaimImageSize(total int64, overhead float64) int64 {
	if overhead <= 0 || overhead >= 1 {
		overhead = DefaultFilesystemOverhead
	}
	return int64(float64(total)*(1-overhead)) / imageAlign * imageAlign
}

// configDisk builds the ISO 9660 disk of a configMap, secret, serviceAccount
// or downwardAPI volume from the files the launcher pod projects at
// ConfigDir/<volume>, labelled with the volume's volumeLabel or "cfgdata".
func configDisk(v *virtv1.Volume, l Layout) (domain.VolumeSource, error) {
	dir := filepath.Join(l.ConfigDir, v.Name)
	files, err := DirFiles(dir)
	if err != nil {
		return domain.VolumeSource{}, fmt.Errorf("volume %q: %w", v.Name, err)
	}
	var img bytes.Buffer
	if err := cloudinit.WriteISO(&img, configLabel(v), files); err != nil {
		return domain.VolumeSource{}, fmt.Errorf("volume %q: %w", v.Name, err)
	}
	return seedImage(l, v.Name+"-config.iso", img.Bytes(), nil)
}

func configLabel(v *virtv1.Volume) string {
	label := ""
	switch {
	case v.ConfigMap != nil:
		label = v.ConfigMap.VolumeLabel
	case v.Secret != nil:
		label = v.Secret.VolumeLabel
	case v.DownwardAPI != nil:
		label = v.DownwardAPI.VolumeLabel
	}
	if label == "" {
		return defaultConfigLabel
	}
	return label
}

// DirFiles reads the files under dir as the kubelet projects them: entries
// whose names start with ".." (its timestamped data directory and the
// ..data link) are skipped, the key links followed.
func DirFiles(dir string) ([]cloudinit.File, error) {
	var out []cloudinit.File
	if err := walkProjected(dir, "", &out); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func walkProjected(dir, prefix string, out *[]cloudinit.File) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "..") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("stat %s: %w", path, err)
		}
		name := e.Name()
		if prefix != "" {
			name = prefix + "/" + name
		}
		if st.IsDir() {
			if err := walkProjected(path, name, out); err != nil {
				return err
			}
			continue
		}
		if st.Size() > maxConfigFileBytes {
			return fmt.Errorf("%s: %d bytes is more than a config disk takes", path, st.Size())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		*out = append(*out, cloudinit.File{Name: name, Data: data})
	}
	return nil
}
