package ociimage

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestTarLayer(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		want    []string // "name type mode" in stream order
	}{
		{
			name:    "parents added and sorted",
			entries: []Entry{{Path: "usr/bin/x", Data: []byte("x"), Mode: 0o755}, {Path: "etc/passwd", Data: []byte("p"), Mode: 0o644}},
			want:    []string{"etc/ 5 755", "etc/passwd 0 644", "usr/ 5 755", "usr/bin/ 5 755", "usr/bin/x 0 755"},
		},
		{
			name:    "explicit directory mode wins, sticky kept",
			entries: []Entry{{Path: "/tmp", Dir: true, Mode: 0o777 | fs.ModeSticky}, {Path: "tmp/a", Data: nil, Mode: 0o600}},
			want:    []string{"tmp/ 5 1777", "tmp/a 0 600"},
		},
		{
			name:    "symlink",
			entries: []Entry{{Path: "bin/sh", Link: "busybox"}},
			want:    []string{"bin/ 5 755", "bin/sh 2 777"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := TarLayer(&buf, tt.entries); err != nil {
				t.Fatal(err)
			}
			got := listTar(t, &buf)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entries = %q, want %q", got, tt.want)
			}
		})
	}
}

func listTar(t *testing.T, r io.Reader) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 || !hdr.ModTime.Equal(epoch) {
			t.Errorf("%s: owner %d:%d mtime %v, want 0:0 at the epoch", hdr.Name, hdr.Uid, hdr.Gid, hdr.ModTime)
		}
		out = append(out, fmt.Sprintf("%s %c %o", hdr.Name, hdr.Typeflag, hdr.Mode))
	}
}

func buildTestImage(t *testing.T, root string) v1.Image {
	t.Helper()
	entries, err := TreeEntries(root, "opt")
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLayer(entries, filepath.Join(t.TempDir(), "spool.tar"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build([]v1.Layer{l}, Config{Entrypoint: []string{"/opt/bin/app"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestReproducible builds the same tree twice, with different file times, and expects
// the same digest, tag and archive bytes.
func TestReproducible(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(root, "bin", "app")
	if err := os.WriteFile(app, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var archives [2]bytes.Buffer
	var tags [2]string
	for i := range archives {
		img := buildTestImage(t, root)
		tag, err := DigestTag(img)
		if err != nil {
			t.Fatal(err)
		}
		tags[i] = tag
		if err := WriteArchive(&archives[i], img, "kvirt.local/app:"+tag, tag); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(app, epoch.Add(1e9), epoch.Add(1e9)); err != nil {
			t.Fatal(err)
		}
	}
	if tags[0] != tags[1] || !bytes.Equal(archives[0].Bytes(), archives[1].Bytes()) {
		t.Fatalf("two builds differ: tags %q and %q", tags[0], tags[1])
	}
	if len(tags[0]) != len("sha256-")+16 {
		t.Errorf("tag %q: want sha256- and 16 hex digits", tags[0])
	}
}

func TestWriteArchiveIndex(t *testing.T) {
	img := buildTestImage(t, t.TempDir())
	var buf bytes.Buffer
	if err := WriteArchive(&buf, img, "kvirt.local/app:t1", "t1"); err != nil {
		t.Fatal(err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(&buf)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[hdr.Name] = data
	}
	var index v1.IndexManifest
	if err := json.Unmarshal(files["index.json"], &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Manifests) != 1 || index.Manifests[0].Digest != digest {
		t.Fatalf("index manifests = %+v, want one with digest %s", index.Manifests, digest)
	}
	if got := index.Manifests[0].Annotations[annotationImageName]; got != "kvirt.local/app:t1" {
		t.Errorf("image name annotation = %q", got)
	}
	if _, ok := files[blobPath(digest)]; !ok {
		t.Errorf("manifest blob %s missing", blobPath(digest))
	}
	if string(files["oci-layout"]) != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %q", files["oci-layout"])
	}
}
