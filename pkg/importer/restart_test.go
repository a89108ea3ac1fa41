package importer

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// cutServer sends the first half of body with the full Content-Length, then
// drops the connection: what a killed server or a network cut looks like.
func cutServer(t *testing.T, body []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestInterruptedImportReruns(t *testing.T) {
	raw := testDisk(5 << 20)
	qcow2 := qcow2Of(t, raw)
	qcow2Bytes, err := os.ReadFile(qcow2)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		body   []byte
		source string
	}{
		{"raw", raw, writeTemp(t, raw)},
		{"qcow2", qcow2Bytes, qcow2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			good, certDir := imageServer(t, tc.source)
			o := httpOptions(t, good, certDir, int64(len(raw)))
			first := *o
			first.Endpoint = cutServer(t, tc.body).URL + "/disk"
			err := runImport(t, &first)
			if err == nil || !strings.Contains(err.Error(), reasonRead) {
				t.Fatalf("cut import: error %v, want %q", err, reasonRead)
			}
			if _, err := os.Stat(o.Dest); !os.IsNotExist(err) {
				t.Fatalf("a cut import left a complete-looking destination: %v", err)
			}
			// What a SIGKILL leaves: a part file and a scratch download.
			dir := filepath.Dir(o.Dest)
			for _, stale := range []string{o.Dest + partSuffix, filepath.Join(dir, scratchName)} {
				if err := os.WriteFile(stale, []byte("left by a killed importer"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := runImport(t, o); err != nil {
				t.Fatal(err)
			}
			if got := fileSum(t, o.Dest); got != sum(raw) {
				t.Fatalf("rerun checksum %s, want the source's %s", got, sum(raw))
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 2 { // disk.img and the termination log
				t.Fatalf("the volume holds more than the image after a rerun: %v", entries)
			}
		})
	}
}

// staleDevice is a regular file standing in for a block device full of old data.
func staleDevice(t *testing.T, size int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cdi-block-volume")
	b := make([]byte, size)
	for i := range b {
		b[i] = 0xee
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBlockTargetRewritesFromTheStart(t *testing.T) {
	raw := testDisk(3 << 20)
	devSize := 4 << 20
	dev := staleDevice(t, devSize)
	bt, err := openBlockTarget(dev, "")
	if err != nil {
		t.Fatal(err)
	}
	if bt.Capacity() != int64(devSize) {
		t.Fatalf("capacity %d, want the device's %d", bt.Capacity(), devSize)
	}
	cut := cutServer(t, raw)
	s, err := openHTTPForTest(t, cut.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := bt.WriteRaw(s); err == nil {
		t.Fatal("a cut stream imported without error")
	}
	if err := bt.WriteRaw(strings.NewReader(string(raw))); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != devSize {
		t.Fatalf("device changed size to %d", len(got))
	}
	if sum(got[:len(raw)]) != sum(raw) {
		t.Fatal("device's checksum differs from the source's (zero blocks must be written over old data)")
	}
	if err := bt.WriteRaw(strings.NewReader(string(testDisk(devSize + 1)))); err == nil ||
		!strings.Contains(err.Error(), reasonTooLarge) {
		t.Fatalf("oversized image: error %v, want %q", err, reasonTooLarge)
	}
	if err := bt.Blank(); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(dev)
	if sum(got[:blankBytes]) != sum(make([]byte, blankBytes)) {
		t.Fatal("blank did not zero the device's first MiB")
	}
}

func TestBlockTargetConvertsQcow2(t *testing.T) {
	raw := testDisk(3 << 20)
	qcow2 := qcow2Of(t, raw)
	dev := staleDevice(t, 4<<20)
	bt, err := openBlockTarget(dev, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bt.ScratchDir(); err == nil || !strings.Contains(err.Error(), "scratch") {
		t.Fatalf("Block without scratch: error %v", err)
	}
	bt.scratch = t.TempDir()
	if err := bt.Convert(context.Background(), qcow2, "qcow2"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dev)
	if len(got) != 4<<20 || sum(got[:len(raw)]) != sum(raw) {
		t.Fatal("converted device differs from the source")
	}
}

func openHTTPForTest(t *testing.T, url string) (io.Reader, error) {
	t.Helper()
	resp, err := http.Get(url) //nolint:noctx // a test against a local server
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp.Body, nil
}
