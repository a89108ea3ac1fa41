package nodeapi

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/secretvolume"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publish writes pki's serving pair and CA as the kubelet would update the
// handler's Secret and ConfigMap volumes.
func publish(t *testing.T, serverDir, caDir string, pki nodeenv.PKI) {
	t.Helper()
	secretvolume.Write(t, serverDir, map[string][]byte{
		"tls.crt": readFile(t, pki.ServerCert), "tls.key": readFile(t, pki.ServerKey)})
	secretvolume.Write(t, caDir, map[string][]byte{"ca-bundle": readFile(t, pki.CAFile)})
}

// handshake makes one request on a new connection and returns the serving
// certificate (DER) or the error.
func handshake(t *testing.T, url string, pki nodeenv.PKI) (string, error) {
	t.Helper()
	c := client(t, pki, pki.ClientCert, pki.ClientKey)
	c.Transport.(*http.Transport).DisableKeepAlives = true
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	return string(resp.TLS.PeerCertificates[0].Raw), nil
}

func TestTLSConfigFollowsRotatedVolumes(t *testing.T) {
	old, next := nodeenv.NewPKI(t), nodeenv.NewPKI(t)
	serverDir, caDir := filepath.Join(t.TempDir(), "server"), filepath.Join(t.TempDir(), "ca")
	publish(t, serverDir, caDir, old)
	cfg, err := TLSConfig(filepath.Join(serverDir, "tls.crt"), filepath.Join(serverDir, "tls.key"), filepath.Join(caDir, "ca-bundle"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	want := func(pki nodeenv.PKI) string { return certDER(t, pki.ServerCert) }
	if got, err := handshake(t, srv.URL, old); err != nil || got != want(old) {
		t.Fatalf("before rotation: did not serve the first certificate (err %v)", err)
	}
	if _, err := handshake(t, srv.URL, next); err == nil {
		t.Fatal("before rotation: a client of the next CA was accepted")
	}
	start := time.Now()
	publish(t, serverDir, caDir, next)
	got, err := handshake(t, srv.URL, next)
	if err != nil || got != want(next) {
		t.Fatalf("after rotation: did not serve the rotated certificate (err %v)", err)
	}
	t.Logf("first handshake with the rotated certificate and CA %s after the volume swap", time.Since(start))
	if _, err := handshake(t, srv.URL, old); err == nil {
		t.Fatal("after rotation: a client of the old CA was still accepted")
	}
}

func certDER(t *testing.T, path string) string {
	t.Helper()
	block, _ := pem.Decode(readFile(t, path))
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(fmt.Errorf("parse %s: %w", path, err))
	}
	return string(c.Raw)
}
