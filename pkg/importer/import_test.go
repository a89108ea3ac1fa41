package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHTTPImport(t *testing.T) {
	raw := testDisk(6<<20 + 4096)
	rawPath := writeTemp(t, raw)
	qcow2 := qcow2Of(t, raw)
	qcow2Bytes, err := os.ReadFile(qcow2)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		source string
		size   int64
	}{
		{"raw", rawPath, int64(len(raw))},
		{"raw extended to the target size", rawPath, int64(len(raw)) + 10<<20},
		{"qcow2", qcow2, int64(len(raw))},
		{"qcow2 extended to the target size", qcow2, int64(len(raw)) + 3<<20},
		{"gzip raw", writeTemp(t, gz(t, raw)), int64(len(raw))},
		{"gzip qcow2", writeTemp(t, gz(t, qcow2Bytes)), int64(len(raw))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, certDir := imageServer(t, tc.source)
			o := httpOptions(t, srv, certDir, tc.size)
			if err := runImport(t, o); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(o.Dest)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(got)) != tc.size {
				t.Fatalf("destination is %d bytes, want the target size %d", len(got), tc.size)
			}
			if sum(got[:len(raw)]) != sum(raw) || !bytes.Equal(got[len(raw):], make([]byte, len(got)-len(raw))) {
				t.Fatal("destination's checksum differs from the raw source's")
			}
			if _, err := os.Stat(o.Dest + partSuffix); !os.IsNotExist(err) {
				t.Fatalf("part file left behind: %v", err)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(o.Dest), scratchName)); !os.IsNotExist(err) {
				t.Fatalf("scratch download left behind: %v", err)
			}
		})
	}
}

func TestHTTPImportFailures(t *testing.T) {
	raw := testDisk(3 << 20)
	rawPath := writeTemp(t, raw)
	qcow2 := qcow2Of(t, raw)
	badQcow2 := append([]byte("QFI\xfb\x00\x00\x00\x09"), make([]byte, 1024)...)
	xz := append([]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, make([]byte, 64)...)
	cases := []struct {
		name    string
		source  string
		size    int64
		modify  func(t *testing.T, o *Options)
		wantMsg string
	}{
		{"wrong password", rawPath, 4 << 20, func(t *testing.T, _ *Options) { t.Setenv(EnvSecretKey, "nope") },
			"Unable to connect to http data source: expected status code 200, got 401"},
		{"no credentials", rawPath, 4 << 20, func(t *testing.T, _ *Options) { t.Setenv(EnvAccessKey, "") },
			"Unable to connect to http data source: expected status code 200, got 401"},
		{"CA not trusted", rawPath, 4 << 20, func(t *testing.T, o *Options) { o.CertDir = t.TempDir() },
			"Unable to connect to http data source: "},
		{"not found", rawPath, 4 << 20, func(t *testing.T, o *Options) { o.Endpoint += "/missing" }, "got 404"},
		{"raw larger than target", rawPath, 2 << 20, nil,
			"The image does not fit the target: virtual image size 3145728 is larger than the target size 2097152"},
		{"gzip raw larger than target", writeTemp(t, gz(t, raw)), 2 << 20, nil,
			"The image does not fit the target: the image holds more than the target size 2097152"},
		{"qcow2 larger than target", qcow2, 2 << 20, nil,
			"The image does not fit the target: virtual image size 3145728 is larger than the target size 2097152"},
		{"invalid qcow2 header", writeTemp(t, badQcow2), 4 << 20, nil,
			"Unable to process data: invalid qcow2 header: version 9"},
		{"xz refused", writeTemp(t, xz), 4 << 20, nil,
			"Unable to process data: xz-compressed images are not supported (only gzip)"},
		{"archive refused", rawPath, 4 << 20, func(t *testing.T, o *Options) { o.ContentType = ContentArchive },
			"Invalid importer arguments: content type archive is not supported yet"},
		{"upload without TLS", rawPath, 4 << 20, func(t *testing.T, o *Options) { o.Source = SourceUpload },
			"--tls-cert, --tls-key, --client-ca, --client-name and --upload-listen are required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, certDir := imageServer(t, tc.source)
			o := httpOptions(t, srv, certDir, tc.size)
			if tc.modify != nil {
				tc.modify(t, o)
			}
			err := runImport(t, o)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("error %v, want %q", err, tc.wantMsg)
			}
			msg, rerr := os.ReadFile(o.TerminationLog)
			if rerr != nil || !strings.Contains(string(msg), tc.wantMsg) || strings.Count(string(msg), "\n") != 1 {
				t.Fatalf("termination log %q (%v), want one line with %q", msg, rerr, tc.wantMsg)
			}
			if _, err := os.Stat(o.Dest); !os.IsNotExist(err) {
				t.Fatalf("a failed import left a destination: %v", err)
			}
		})
	}
}
