package importer

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/importer/progress"
)

// uploadPKI is a server pair and three client pairs: the upload proxy's, one
// of the same CA bundle with another name, and one the server does not trust.
type uploadPKI struct {
	server, proxy, otherName, stranger certs.Pair
	clientCA                           []byte
}

func newUploadPKI(t *testing.T) uploadPKI {
	t.Helper()
	var p uploadPKI
	var err error
	for _, c := range []struct {
		into *certs.Pair
		cn   string
	}{{&p.server, "importer"}, {&p.proxy, certs.UploadProxyCommonName}, {&p.otherName, certs.NodeAPIClientCommonName},
		{&p.stranger, certs.UploadProxyCommonName}} {
		if *c.into, err = certs.WriteSelfSigned(t.TempDir(), c.cn, []string{"127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	p.clientCA = append(append([]byte{}, p.proxy.CAPEM...), p.otherName.CAPEM...)
	return p
}

// startUpload serves uploads into a Filesystem target of size bytes with the
// client CA of p; it returns the target path, the URL and the run's result.
func startUpload(t *testing.T, p uploadPKI, size int64) (dest, url string, done chan error) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(p.server.CertFile, p.server.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := uploadTLSConfig(cert, p.clientCA, certs.UploadProxyCommonName)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := fsOptions(t, SourceUpload, size)
	ft, err := openTarget(o.Dest, o.ImageSize, "")
	if err != nil {
		t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() { done <- serveUploadOn(context.Background(), tls.NewListener(l, cfg), ft, &progress.Counter{}) }()
	return o.Dest, "https://" + l.Addr().String() + UploadPath, done
}

func uploadClient(t *testing.T, p uploadPKI, client *certs.Pair) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(p.server.CAPEM)
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if client != nil {
		cert, err := tls.LoadX509KeyPair(client.CertFile, client.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

func post(t *testing.T, client *http.Client, url string, body []byte) (int, string, error) {
	t.Helper()
	resp, err := client.Post(url, "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestUpload(t *testing.T) {
	raw := testDisk(4 << 20)
	qcow2, err := os.ReadFile(qcow2Of(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	p := newUploadPKI(t)
	dest, url, done := startUpload(t, p, int64(len(raw)))
	client := uploadClient(t, p, &p.proxy)
	if code, msg, err := post(t, client, url, append([]byte("QFI\xfb\x00\x00\x00\x07"), make([]byte, 64)...)); err != nil ||
		code != http.StatusBadRequest || !strings.Contains(msg, "invalid qcow2 header") {
		t.Fatalf("bad upload: %d %q %v, want 400 with the reason", code, msg, err)
	}
	if code, msg, err := post(t, client, url, qcow2); err != nil || code != http.StatusOK {
		t.Fatalf("upload: %d %q %v", code, msg, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fileSum(t, dest) != sum(raw) {
		t.Fatal("uploaded image differs from the source")
	}
}

// TestUploadRefusesOtherClients: without a client certificate, with one of
// another CA, or with one of the right CA but another name, the TLS handshake
// fails and nothing is written; the proxy's certificate still gets through.
func TestUploadRefusesOtherClients(t *testing.T) {
	raw := testDisk(1 << 20)
	p := newUploadPKI(t)
	dest, url, done := startUpload(t, p, int64(len(raw)))
	for name, c := range map[string]*certs.Pair{"none": nil, "stranger": &p.stranger, "other name": &p.otherName} {
		if code, _, err := post(t, uploadClient(t, p, c), url, raw); err == nil {
			t.Fatalf("%s: upload answered %d, want a failed handshake", name, code)
		}
	}
	if _, err := os.Stat(dest); err == nil {
		t.Fatal("a refused client wrote the destination")
	}
	if code, msg, err := post(t, uploadClient(t, p, &p.proxy), url, raw); err != nil || code != http.StatusOK {
		t.Fatalf("upload: %d %q %v", code, msg, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestUploadTLSConfigNeedsACA(t *testing.T) {
	if _, err := uploadTLSConfig(tls.Certificate{}, []byte("junk"), "x"); err == nil {
		t.Fatal("a bundle without certificates was accepted")
	}
}

func TestUploadNeedsItsCertificate(t *testing.T) {
	o := fsOptions(t, SourceUpload, 1<<20)
	o.TLSCert, o.TLSKey, o.UploadListen = "/nonexistent.crt", "/nonexistent.key", "127.0.0.1:0"
	o.ClientCA, o.ClientName = "/nonexistent-ca.crt", certs.UploadProxyCommonName
	if err := runImport(t, o); err == nil || !strings.Contains(err.Error(), reasonUpload) {
		t.Fatalf("error %v, want %q", err, reasonUpload)
	}
}
