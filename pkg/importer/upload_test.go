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

func TestUpload(t *testing.T) {
	raw := testDisk(4 << 20)
	qcow2, err := os.ReadFile(qcow2Of(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	pair, err := certs.WriteSelfSigned(t.TempDir(), "importer", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(pair.CertFile, pair.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := fsOptions(t, SourceUpload, int64(len(raw)))
	ft, err := openTarget(o.Dest, o.ImageSize, "")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	tl := tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	go func() { done <- serveUploadOn(context.Background(), tl, ft, &progress.Counter{}) }()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pair.CAPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	url := "https://" + l.Addr().String() + UploadPath
	post := func(body []byte) (int, string) {
		resp, err := client.Post(url, "application/octet-stream", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, msg := post(append([]byte("QFI\xfb\x00\x00\x00\x07"), make([]byte, 64)...)); code != http.StatusBadRequest ||
		!strings.Contains(msg, "invalid qcow2 header") {
		t.Fatalf("bad upload: %d %q, want 400 with the reason", code, msg)
	}
	if code, msg := post(qcow2); code != http.StatusOK {
		t.Fatalf("upload: %d %q", code, msg)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fileSum(t, o.Dest) != sum(raw) {
		t.Fatal("uploaded image differs from the source")
	}
}

func TestUploadNeedsItsCertificate(t *testing.T) {
	o := fsOptions(t, SourceUpload, 1<<20)
	o.TLSCert, o.TLSKey, o.UploadListen = "/nonexistent.crt", "/nonexistent.key", "127.0.0.1:0"
	if err := runImport(t, o); err == nil || !strings.Contains(err.Error(), reasonUpload) {
		t.Fatalf("error %v, want %q", err, reasonUpload)
	}
}
