package importer

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/pkg/importer/progress"
)

func fsOptions(t *testing.T, source string, size int64) *Options {
	t.Helper()
	dir := t.TempDir()
	return &Options{
		Source: source, Dest: filepath.Join(dir, "disk.img"), ImageSize: size, ContentType: ContentKubevirt,
		TerminationLog: filepath.Join(dir, "termination-log"), Attempts: 1,
	}
}

func TestBlankImport(t *testing.T) {
	o := fsOptions(t, SourceBlank, 64<<20)
	if err := runImport(t, o); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(o.Dest)
	if err != nil || st.Size() != 64<<20 {
		t.Fatalf("blank image: %v, %v", st, err)
	}
	if got := fileSum(t, o.Dest); got != sum(make([]byte, 64<<20)) {
		t.Fatal("blank image is not all zeros")
	}
}

func TestPVCClone(t *testing.T) {
	raw := testDisk(4 << 20)
	cases := []struct {
		name    string
		size    int64
		wantErr string
	}{
		{"same size", int64(len(raw)), ""},
		{"larger target", int64(len(raw)) + 1<<20, ""},
		{"smaller target", int64(len(raw)) - 1, reasonTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := fsOptions(t, SourcePVC, tc.size)
			o.SourcePath = writeTemp(t, raw)
			err := runImport(t, o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(o.Dest)
			if int64(len(got)) != tc.size || sum(got[:len(raw)]) != sum(raw) {
				t.Fatal("clone differs from its source")
			}
		})
	}
}

func TestConnectionRefusedRetriesThenFails(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	o := fsOptions(t, SourceHTTP, 1<<20)
	o.Endpoint, o.Attempts, o.Backoff = "http://"+addr+"/disk.img", 3, time.Millisecond
	err = runImport(t, o)
	if err == nil || !strings.Contains(err.Error(), reasonHTTP) {
		t.Fatalf("error %v, want %q", err, reasonHTTP)
	}
}

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name    string
		o       Options
		wantErr string
	}{
		{"http", Options{Source: SourceHTTP, Endpoint: "http://x", Dest: "/d", ContentType: ContentKubevirt}, ""},
		{"http without endpoint", Options{Source: SourceHTTP, Dest: "/d", ContentType: ContentKubevirt}, "--endpoint"},
		{"registry without endpoint", Options{Source: SourceRegistry, Dest: "/d", ContentType: ContentKubevirt}, "--endpoint"},
		{"pvc without path", Options{Source: SourcePVC, Dest: "/d", ContentType: ContentKubevirt}, "--source-path"},
		{"blank", Options{Source: SourceBlank, Dest: "/d", ContentType: ContentKubevirt}, ""},
		{"unknown source", Options{Source: "s3", Dest: "/d", ContentType: ContentKubevirt}, "unknown source"},
		{"upload without TLS", Options{Source: SourceUpload, Dest: "/d", ContentType: ContentKubevirt}, "--tls-cert"},
		{"upload", Options{Source: SourceUpload, Dest: "/d", ContentType: ContentKubevirt, TLSCert: "c", TLSKey: "k",
			UploadListen: ":8443", ClientCA: "ca", ClientName: "n"}, ""},
		{"upload without client CA", Options{Source: SourceUpload, Dest: "/d", ContentType: ContentKubevirt, TLSCert: "c",
			TLSKey: "k", UploadListen: ":8443", ClientName: "n"}, "--client-ca"},
		{"archive", Options{Source: SourceBlank, Dest: "/d", ContentType: ContentArchive}, "archive is not supported"},
		{"no dest", Options{Source: SourceBlank, ContentType: ContentKubevirt}, "--dest"},
		{"negative size", Options{Source: SourceBlank, Dest: "/d", ContentType: ContentKubevirt, ImageSize: -1}, "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.validate()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("validate = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestFilesystemNeedsImageSize(t *testing.T) {
	o := fsOptions(t, SourceBlank, 0)
	if err := runImport(t, o); err == nil || !strings.Contains(err.Error(), "--image-size is required") {
		t.Fatalf("error %v", err)
	}
}

// gatedServer sends body in parts, each once the test releases it.
func gatedServer(t *testing.T, body []byte, parts int, release <-chan struct{}) string {
	t.Helper()
	srv := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		step := len(body) / parts
		for i := 0; i < parts; i++ {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			end := (i + 1) * step
			if i == parts-1 {
				end = len(body)
			}
			_, _ = w.Write(body[i*step : end])
			w.(http.Flusher).Flush()
		}
	}))
	return srv
}

func newHTTPServer(t *testing.T, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

func getProgress(url string) (string, error) {
	resp, err := http.Get(url) //nolint:noctx // a test against a local server
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestProgressIncreasesToDone(t *testing.T) {
	const parts = 4
	raw := testDisk(8 << 20)
	release := make(chan struct{})
	o := fsOptions(t, SourceHTTP, int64(len(raw)))
	o.Endpoint = gatedServer(t, raw, parts, release) + "/disk.img"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/progress"
	done := make(chan error, 1)
	c := &progress.Counter{}
	go func() { done <- o.runWith(context.Background(), l, c) }()
	var seen []string
	// The last part ends the import and with it the endpoint: polled up to
	// the part before, then read from the counter.
	for i := 1; i < parts; i++ {
		release <- struct{}{}
		want := fmt.Sprintf("%.2f", float64(i*(len(raw)/parts))*100/float64(len(raw)))
		last, deadline := "", time.Now().Add(time.Minute)
		for last != want && time.Now().Before(deadline) {
			if last, err = getProgress(url); err != nil {
				t.Fatalf("GET /progress: %v", err)
			}
			if len(seen) == 0 || seen[len(seen)-1] != last {
				seen = append(seen, last)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if last != want {
			t.Fatalf("progress %q after part %d, want %q (seen %v)", last, i, want, seen)
		}
	}
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if seen = append(seen, c.Percent()); c.Percent() != "100.00" {
		t.Fatalf("progress %s at the end, want 100.00", c.Percent())
	}
	for i := 1; i < len(seen); i++ {
		prev, _ := strconv.ParseFloat(seen[i-1], 64)
		cur, _ := strconv.ParseFloat(seen[i], 64)
		if cur < prev {
			t.Fatalf("progress went down: %v", seen)
		}
	}
	t.Logf("progress seen: %v", seen)
}
