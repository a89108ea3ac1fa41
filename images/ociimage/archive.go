package ociimage

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// annotationImageName is the annotation containerd's importer reads the full image
// reference from; the OCI ref-name annotation carries the tag alone.
const (
	annotationImageName = "io.containerd.image.name"
	annotationRefName   = "org.opencontainers.image.ref.name"
)

// WriteArchive writes img as an OCI image layout in a tar stream (oci-layout,
// index.json, blobs/sha256/...), naming it ref (e.g. "kvirt.local/virt-api:sha256-…").
func WriteArchive(w io.Writer, img v1.Image, ref, tag string) error {
	tw := tar.NewWriter(w)
	if err := writeBlobs(tw, img); err != nil {
		return err
	}
	manifest, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	digest, err := img.Digest()
	if err != nil {
		return fmt.Errorf("manifest digest: %w", err)
	}
	index := v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType:   types.OCIManifestSchema1,
			Size:        int64(len(manifest)),
			Digest:      digest,
			Annotations: map[string]string{annotationImageName: ref, annotationRefName: tag},
		}},
	}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return fmt.Errorf("encode index: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", indexJSON},
		{blobPath(digest), manifest},
	}
	for _, f := range files {
		if err := writeBytes(tw, f.name, f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("close archive: %w", err)
	}
	return nil
}

// WriteArchiveFile writes the archive to path atomically (temp file, rename).
func WriteArchiveFile(path string, img v1.Image, ref, tag string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("create archive: %w", err)
	}
	// After a successful rename the temp name is gone and Remove fails harmlessly.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := WriteArchive(tmp, img, ref, tag); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close archive: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod archive: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("install archive: %w", err)
	}
	return nil
}

func blobPath(d v1.Hash) string {
	return "blobs/" + d.Algorithm + "/" + d.Hex
}

// writeBlobs writes the config and every compressed layer.
func writeBlobs(tw *tar.Writer, img v1.Image) error {
	cfgName, err := img.ConfigName()
	if err != nil {
		return fmt.Errorf("config digest: %w", err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	for _, dir := range []string{"blobs/", "blobs/" + cfgName.Algorithm + "/"} {
		if err := writeBytes(tw, dir, nil); err != nil {
			return err
		}
	}
	if err := writeBytes(tw, blobPath(cfgName), cfg); err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("layers: %w", err)
	}
	for _, l := range layers {
		if err := writeLayer(tw, l); err != nil {
			return err
		}
	}
	return nil
}

func writeLayer(tw *tar.Writer, l v1.Layer) error {
	d, err := l.Digest()
	if err != nil {
		return fmt.Errorf("layer digest: %w", err)
	}
	size, err := l.Size()
	if err != nil {
		return fmt.Errorf("layer size: %w", err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("layer %s: %w", d, err)
	}
	defer rc.Close()
	hdr := &tar.Header{Name: blobPath(d), Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: epoch}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("layer %s: %w", d, err)
	}
	if _, err := io.Copy(tw, rc); err != nil {
		return fmt.Errorf("layer %s: %w", d, err)
	}
	return nil
}

// writeBytes writes one archive member; a name ending in "/" is a directory.
func writeBytes(tw *tar.Writer, name string, data []byte) error {
	hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), ModTime: epoch}
	if name[len(name)-1] == '/' {
		hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeDir, 0o755, 0
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	return nil
}
