package importer

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenTarget(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name      string
		dest      string
		size      int64
		wantBlock bool
		wantErr   string
	}{
		{"a device is a Block target", "/dev/null", 0, true, ""},
		{"a device ignores --image-size", "/dev/null", 1 << 30, true, ""},
		{"a file path is a Filesystem target", filepath.Join(dir, "disk.img"), 1 << 20, false, ""},
		{"Filesystem needs a size", filepath.Join(dir, "disk.img"), 0, false, "--image-size is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := openTarget(tc.dest, tc.size, "")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, block := got.(*blockTarget); block != tc.wantBlock {
				t.Fatalf("target %T, want block %v", got, tc.wantBlock)
			}
			if !tc.wantBlock && got.Capacity() != tc.size {
				t.Fatalf("capacity %d, want %d", got.Capacity(), tc.size)
			}
		})
	}
}

func TestScratchDir(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "data", "disk.img")
	scratch := t.TempDir()
	cases := []struct {
		name    string
		target  target
		want    string
		wantErr bool
	}{
		{"Filesystem with scratch", &fileTarget{dest: dest, scratch: scratch}, scratch, false},
		{"Filesystem without scratch uses the destination's directory",
			&fileTarget{dest: dest, scratch: filepath.Join(dir, "missing")}, filepath.Dir(dest), false},
		{"Block with scratch", &blockTarget{scratch: scratch}, scratch, false},
		{"Block without scratch", &blockTarget{scratch: filepath.Join(dir, "missing")}, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.target.ScratchDir()
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ScratchDir = %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestCheckFits(t *testing.T) {
	cases := []struct {
		virtual, capacity int64
		fits              bool
	}{{1, 2, true}, {2, 2, true}, {3, 2, false}, {0, 0, true}}
	for _, tc := range cases {
		if err := checkFits(tc.virtual, tc.capacity); (err == nil) != tc.fits {
			t.Errorf("checkFits(%d, %d) = %v, want fits %v", tc.virtual, tc.capacity, err, tc.fits)
		}
	}
}
