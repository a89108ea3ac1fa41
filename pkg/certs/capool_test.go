package certs

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/secretvolume"
)

// selfSigned returns a fresh self-signed pair as PEM (certificate, key).
func selfSigned(t *testing.T, cn string) ([]byte, []byte) {
	t.Helper()
	p, err := WriteSelfSigned(t.TempDir(), cn, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(p.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return p.CAPEM, key
}

func subjectOf(t *testing.T, pemBytes []byte) string {
	t.Helper()
	block, _ := pem.Decode(pemBytes)
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return string(c.RawSubject)
}

// pinMtime gives every file in the volume the same modification time, so only
// the symlink swap can reveal the new version.
func pinMtime(t *testing.T, dir string, keys ...string) {
	t.Helper()
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, k := range keys {
		if err := os.Chtimes(filepath.Join(dir, k), when, when); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCAPoolFollowsSecretVolumeSwap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	first, _ := selfSigned(t, "first")
	second, _ := selfSigned(t, "second")
	secretvolume.Write(t, dir, map[string][]byte{"ca-bundle": first})
	pinMtime(t, dir, "ca-bundle")
	p, err := NewCAPool(filepath.Join(dir, "ca-bundle"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Pool().Subjects(); len(got) != 1 || string(got[0]) != subjectOf(t, first) { //nolint:staticcheck // test inspects a pool it built
		t.Fatalf("initial pool subjects %q", got)
	}
	secretvolume.Write(t, dir, map[string][]byte{"ca-bundle": append(append([]byte{}, second...), first...)})
	pinMtime(t, dir, "ca-bundle")
	got := p.Pool().Subjects() //nolint:staticcheck // as above
	if len(got) != 2 || string(got[0]) != subjectOf(t, second) {
		t.Fatalf("after rotation pool subjects %q, want second then first", got)
	}
	secretvolume.Write(t, dir, map[string][]byte{"ca-bundle": []byte("garbage")})
	if got := p.Pool().Subjects(); len(got) != 2 { //nolint:staticcheck // as above
		t.Fatalf("a broken bundle replaced the last good pool: %q", got)
	}
}

func TestNewCAPoolRejectsEmptyBundle(t *testing.T) {
	f := filepath.Join(t.TempDir(), "ca")
	if err := os.WriteFile(f, []byte("no pem here"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewCAPool(f); err == nil {
		t.Fatal("empty bundle accepted")
	}
	if _, err := NewCAPool(f + ".missing"); err == nil {
		t.Fatal("missing bundle accepted")
	}
}

func TestReloaderFollowsSecretVolumeSwap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	c1, k1 := selfSigned(t, "one")
	c2, k2 := selfSigned(t, "two")
	secretvolume.Write(t, dir, map[string][]byte{"tls.crt": c1, "tls.key": k1})
	pinMtime(t, dir, "tls.crt", "tls.key")
	r, err := NewReloader(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	secretvolume.Write(t, dir, map[string][]byte{"tls.crt": c2, "tls.key": k2})
	pinMtime(t, dir, "tls.crt", "tls.key")
	got, err := r.GetCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Leaf.RawSubject) != subjectOf(t, c2) {
		t.Fatal("rotated pair behind a swapped ..data link was not picked up")
	}
}

// BenchmarkCAPoolUnchanged is the per-handshake cost of checking the bundle
// file for rotation when it did not change.
func BenchmarkCAPoolUnchanged(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "ca")
	p, err := WriteSelfSigned(b.TempDir(), "ca", []string{"127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	secretvolume.Write(b, dir, map[string][]byte{"ca-bundle": p.CAPEM})
	pool, err := NewCAPool(filepath.Join(dir, "ca-bundle"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = pool.Pool()
	}
}
