package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const (
	testUser     = "importer"
	testPassword = "s3cret"
)

// testDisk is a raw image of size bytes: random data with zero runs between,
// as a real disk has.
func testDisk(size int) []byte {
	b := make([]byte, size)
	r := rand.New(rand.NewPCG(1, 2))
	const chunk = 1 << 20
	for off := 0; off < size; off += 2 * chunk {
		end := min(off+chunk, size)
		for i := off; i < end; i += 8 {
			v := r.Uint64()
			for j := 0; j < 8 && i+j < end; j++ {
				b[i+j] = byte(v >> (8 * j))
			}
		}
	}
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// needQemuImg returns qemu-img's path or skips: it comes with the Debian
// package qemu-utils (make deps installs it).
func needQemuImg(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("qemu-img")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("qemu-img is missing (install qemu-utils: make deps)")
		}
		t.Skip("qemu-img is missing: install qemu-utils (make deps) to run this test")
	}
	return p
}

// qcow2Of converts raw to a qcow2 file with the real qemu-img.
func qcow2Of(t testing.TB, raw []byte) string {
	t.Helper()
	needQemuImg(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.raw"), filepath.Join(dir, "disk.qcow2")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", in, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert: %v: %s", err, b)
	}
	if err := os.Remove(in); err != nil {
		t.Fatal(err)
	}
	return out
}

// imageServer serves the file at path on /disk over TLS behind basic auth;
// certDir holds its CA for --cert-dir.
func imageServer(t testing.TB, path string) (srv *httptest.Server, certDir string) {
	t.Helper()
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/disk" {
			http.NotFound(w, r)
			return
		}
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPassword {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.ServeFile(w, r, path)
	}))
	t.Cleanup(srv.Close)
	certDir = t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(certDir, "ca.pem"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	// A ConfigMap volume's bookkeeping entries must be skipped.
	if err := os.Mkdir(filepath.Join(certDir, "..2026_data"), 0o700); err != nil {
		t.Fatal(err)
	}
	return srv, certDir
}

func writeTemp(t testing.TB, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "source")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// httpOptions imports srv's image into a new Filesystem destination.
func httpOptions(t testing.TB, srv *httptest.Server, certDir string, size int64) *Options {
	t.Helper()
	t.Setenv(EnvAccessKey, testUser)
	t.Setenv(EnvSecretKey, testPassword)
	dir := t.TempDir()
	return &Options{
		Source: SourceHTTP, Endpoint: srv.URL + "/disk", Dest: filepath.Join(dir, "disk.img"), ImageSize: size,
		ContentType: ContentKubevirt, CertDir: certDir, ScratchDir: filepath.Join(dir, "no-scratch"),
		TerminationLog: filepath.Join(dir, "termination-log"), Attempts: 2, Backoff: time.Millisecond,
	}
}

// runImport runs o as the binary would, without a progress listener.
func runImport(t testing.TB, o *Options) error {
	t.Helper()
	return o.Run(context.Background())
}
