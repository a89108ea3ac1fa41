package importer

import (
	"archive/tar"
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// layerOf is a layer holding files (path -> content).
func layerOf(t *testing.T, files map[string][]byte) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for p, b := range files {
		if err := tw.WriteHeader(&tar.Header{Name: p, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRegistryImport(t *testing.T) {
	raw := testDisk(3 << 20)
	qcow2, err := os.ReadFile(qcow2Of(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	cases := []struct {
		name    string
		layers  []map[string][]byte
		wantErr string
	}{
		{"raw containerDisk", []map[string][]byte{{"disk/disk.img": raw}}, ""},
		{"qcow2 containerDisk", []map[string][]byte{{"disk/disk.qcow2": qcow2}}, ""},
		{"top layer wins", []map[string][]byte{{"disk/old.img": testDisk(1 << 20)}, {"./disk/disk.img": raw}}, ""},
		{"no disk", []map[string][]byte{{"etc/motd": []byte("hi")}}, "no file under /disk"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := empty.Image
			for _, files := range tc.layers {
				if img, err = mutate.AppendLayers(img, layerOf(t, files)); err != nil {
					t.Fatal(err)
				}
			}
			ref, err := name.ParseReference(host+"/kvirt/disk:v"+string(rune('0'+i)), name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(ref, img); err != nil {
				t.Fatal(err)
			}
			o := fsOptions(t, SourceRegistry, int64(len(raw)))
			o.Endpoint, o.InsecureTLS = "docker://"+ref.String(), true
			err = runImport(t, o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fileSum(t, o.Dest) != sum(raw) {
				t.Fatal("imported disk differs from the image's")
			}
		})
	}
}

func TestRegistryUnknownRepository(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	t.Cleanup(srv.Close)
	o := fsOptions(t, SourceRegistry, 1<<20)
	o.Endpoint, o.InsecureTLS, o.Attempts = "docker://"+strings.TrimPrefix(srv.URL, "http://")+"/nope:v1", true, 3
	if err := runImport(t, o); err == nil || !strings.Contains(err.Error(), reasonRegistry) {
		t.Fatalf("error %v, want %q", err, reasonRegistry)
	}
}

func TestIsDiskFile(t *testing.T) {
	cases := []struct {
		name string
		h    tar.Header
		want bool
	}{
		{"disk image", tar.Header{Name: "disk/disk.img", Typeflag: tar.TypeReg}, true},
		{"leading ./", tar.Header{Name: "./disk/x.qcow2", Typeflag: tar.TypeReg}, true},
		{"directory", tar.Header{Name: "disk/", Typeflag: tar.TypeDir}, false},
		{"nested", tar.Header{Name: "disk/a/b.img", Typeflag: tar.TypeReg}, false},
		{"elsewhere", tar.Header{Name: "boot/vmlinuz", Typeflag: tar.TypeReg}, false},
		{"whiteout", tar.Header{Name: "disk/.wh.disk.img", Typeflag: tar.TypeReg}, false},
		{"symlink", tar.Header{Name: "disk/disk.img", Typeflag: tar.TypeSymlink}, false},
	}
	for _, tc := range cases {
		if got := isDiskFile(&tc.h); got != tc.want {
			t.Errorf("%s: isDiskFile = %v, want %v", tc.name, got, tc.want)
		}
	}
}
