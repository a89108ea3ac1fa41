package sparse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDataRuns(t *testing.T) {
	block := func(fill byte) []byte { return bytes.Repeat([]byte{fill}, 4) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name  string
		chunk []byte
		want  []run
	}{
		{"all zeros", cat(block(0), block(0)), nil},
		{"all data merges", cat(block(1), block(2)), []run{{0, 8}}},
		{"zero gap splits", cat(block(1), block(0), block(1)), []run{{0, 4}, {8, 12}}},
		{"short data tail", cat(block(0), []byte{0, 7}), []run{{4, 6}}},
		{"short zero tail", cat(block(3), []byte{0, 0}), []run{{0, 4}}},
		{"one byte in a block", cat(block(0), []byte{0, 0, 0, 9}), []run{{4, 8}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := dataRuns(tc.chunk, 4); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("dataRuns = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCopy(t *testing.T) {
	src := make([]byte, 3*BlockSize+100)
	copy(src[BlockSize:], bytes.Repeat([]byte{0xab}, BlockSize))
	src[len(src)-1] = 1
	cases := []struct {
		name    string
		opts    Options
		stale   bool
		wantErr error
	}{
		{"sparse into a new file", Options{SkipZeros: true}, false, nil},
		{"dense over stale data", Options{}, true, nil},
		{"exactly the limit", Options{Limit: int64(len(src))}, false, nil},
		{"over the limit", Options{Limit: int64(len(src)) - 1}, false, ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "disk.img")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if tc.stale {
				if _, err := f.Write(bytes.Repeat([]byte{0xee}, len(src))); err != nil {
					t.Fatal(err)
				}
			}
			n, err := Copy(f, bytes.NewReader(src), tc.opts)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || n != int64(len(src)) {
				t.Fatalf("Copy = %d, %v", n, err)
			}
			if err := f.Truncate(n); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, src) {
				t.Fatal("destination differs from the source")
			}
		})
	}
}

type cutReader struct{ left int }

func (c *cutReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := min(len(p), c.left)
	c.left -= n
	for i := range p[:n] {
		p[i] = 1
	}
	return n, nil
}

func TestCopyReportsACutSource(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "disk.img"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Copy(f, &cutReader{left: 1000}, Options{}); !errors.Is(err, ErrRead) {
		t.Fatalf("error %v, want ErrRead", err)
	}
}
