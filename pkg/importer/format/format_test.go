package format

import (
	"encoding/binary"
	"errors"
	"testing"
)

func qcow2Header(version, clusterBits uint32, backing, size uint64) []byte {
	h := make([]byte, 72)
	copy(h, "QFI\xfb")
	binary.BigEndian.PutUint32(h[4:], version)
	binary.BigEndian.PutUint64(h[8:], backing)
	binary.BigEndian.PutUint32(h[20:], clusterBits)
	binary.BigEndian.PutUint64(h[24:], size)
	return h
}

func TestDetect(t *testing.T) {
	vdi := make([]byte, 0x48)
	copy(vdi[0x40:], []byte{0x7f, 0x10, 0xda, 0xbe})
	mbr := make([]byte, 512)
	mbr[510], mbr[511] = 0x55, 0xaa
	cases := []struct {
		name   string
		header []byte
		want   Format
	}{
		{"qcow2", qcow2Header(3, 16, 0, 1<<30), Qcow2},
		{"gzip", []byte{0x1f, 0x8b, 0x08, 0x00}, Gzip},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00, 0x00}, Xz},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00}, Zstd},
		{"bzip2", []byte("BZh91AY"), Bzip2},
		{"vmdk", []byte("KDMV\x01\x00\x00\x00"), VMDK},
		{"vhdx", []byte("vhdxfile\x00"), VHDX},
		{"vdi at offset 0x40", vdi, VDI},
		{"mbr disk is raw", mbr, Raw},
		{"empty source is raw", nil, Raw},
		{"short prefix of a magic is raw", []byte("QF"), Raw},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect(tc.header); got != tc.want {
				t.Fatalf("Detect = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFormatKinds(t *testing.T) {
	cases := []struct {
		f          Format
		compressed bool
		convert    bool
	}{
		{Raw, false, false}, {Qcow2, false, true}, {VMDK, false, true}, {VHDX, false, true},
		{VDI, false, true}, {Gzip, true, false}, {Xz, true, false}, {Zstd, true, false}, {Bzip2, true, false},
	}
	for _, tc := range cases {
		if tc.f.Compressed() != tc.compressed || tc.f.NeedsConversion() != tc.convert {
			t.Errorf("%s: compressed %v convert %v, want %v %v", tc.f, tc.f.Compressed(),
				tc.f.NeedsConversion(), tc.compressed, tc.convert)
		}
	}
}

func TestQcow2VirtualSize(t *testing.T) {
	cases := []struct {
		name    string
		header  []byte
		want    uint64
		wantErr bool
	}{
		{"v3", qcow2Header(3, 16, 0, 10<<30), 10 << 30, false},
		{"v2", qcow2Header(2, 16, 0, 1<<20), 1 << 20, false},
		{"cut short", qcow2Header(3, 16, 0, 1)[:20], 0, true},
		{"not qcow2", make([]byte, 64), 0, true},
		{"unknown version", qcow2Header(4, 16, 0, 1), 0, true},
		{"backing file", qcow2Header(3, 16, 512, 1), 0, true},
		{"cluster too small", qcow2Header(3, 8, 0, 1), 0, true},
		{"cluster too large", qcow2Header(3, 22, 0, 1), 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Qcow2VirtualSize(tc.header)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidQcow2) {
					t.Fatalf("error %v, want ErrInvalidQcow2", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("= %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}
