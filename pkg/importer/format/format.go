package format

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Format is what an image stream holds.
type Format string

// The formats Detect knows. Raw is what is left when no magic matches.
const (
	Raw   Format = "raw"
	Qcow2 Format = "qcow2"
	VMDK  Format = "vmdk"
	VHDX  Format = "vhdx"
	VDI   Format = "vdi"
	Gzip  Format = "gzip"
	Xz    Format = "xz"
	Zstd  Format = "zstd"
	Bzip2 Format = "bzip2"
)

// HeaderSize is how many leading bytes Detect and Qcow2VirtualSize look at;
// a shorter header (a tiny source) is fine.
const HeaderSize = 512

// magic is one signature at an offset.
type magic struct {
	format Format
	offset int
	bytes  []byte
}

var magics = []magic{
	{Qcow2, 0, []byte("QFI\xfb")},
	{VMDK, 0, []byte("KDMV")},
	{VHDX, 0, []byte("vhdxfile")},
	{VDI, 0x40, []byte{0x7f, 0x10, 0xda, 0xbe}},
	{Gzip, 0, []byte{0x1f, 0x8b}},
	{Xz, 0, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
	{Zstd, 0, []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{Bzip2, 0, []byte("BZh")},
}

// Detect returns the format whose magic header starts, or Raw.
func Detect(header []byte) Format {
	for _, m := range magics {
		end := m.offset + len(m.bytes)
		if len(header) >= end && bytes.Equal(header[m.offset:end], m.bytes) {
			return m.format
		}
	}
	return Raw
}

// Compressed reports whether f is a compression wrapper around another image.
func (f Format) Compressed() bool {
	switch f {
	case Gzip, Xz, Zstd, Bzip2:
		return true
	}
	return false
}

// NeedsConversion reports whether f must go through qemu-img to become raw.
func (f Format) NeedsConversion() bool {
	switch f {
	case Qcow2, VMDK, VHDX, VDI:
		return true
	}
	return false
}

// ErrInvalidQcow2 says a stream with the qcow2 magic has a header qemu could
// not use.
var ErrInvalidQcow2 = errors.New("invalid qcow2 header")

// qcow2HeaderLen is the part of the header Qcow2VirtualSize reads: magic,
// version, backing file offset and size, cluster bits, virtual size.
const qcow2HeaderLen = 32

// Qcow2VirtualSize returns the guest-visible size a qcow2 header declares. It
// refuses headers that are cut short, of an unknown version, with a backing
// file (an import has no second file to read), or with a cluster size qemu
// would refuse.
func Qcow2VirtualSize(header []byte) (uint64, error) {
	if len(header) < qcow2HeaderLen || Detect(header) != Qcow2 {
		return 0, ErrInvalidQcow2
	}
	version := binary.BigEndian.Uint32(header[4:8])
	if version != 2 && version != 3 {
		return 0, fmt.Errorf("%w: version %d", ErrInvalidQcow2, version)
	}
	if binary.BigEndian.Uint64(header[8:16]) != 0 {
		return 0, fmt.Errorf("%w: the image has a backing file", ErrInvalidQcow2)
	}
	clusterBits := binary.BigEndian.Uint32(header[20:24])
	if clusterBits < 9 || clusterBits > 21 {
		return 0, fmt.Errorf("%w: cluster bits %d", ErrInvalidQcow2, clusterBits)
	}
	return binary.BigEndian.Uint64(header[24:32]), nil
}
