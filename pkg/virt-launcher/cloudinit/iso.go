package cloudinit

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

const sector = 2048

// File is one file in the root directory of an ISO image.
type File struct {
	Name string
	Data []byte
}

// WriteISO writes an ISO 9660 image with the given volume label and files, all
// in the root directory. Names are recorded as given (Linux shows them in lower
// case) and the output is deterministic: timestamps are zero.
func WriteISO(w io.Writer, label string, files []File) error {
	files = append([]File(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for _, f := range files {
		if len(f.Name) == 0 || len(f.Name) > 30 {
			return fmt.Errorf("iso file name %q: must be 1 to 30 characters", f.Name)
		}
	}
	const (
		pvdSector   = 16
		pathLSector = 18
		pathMSector = 19
		rootSector  = 20
	)
	rootDir := directory(rootSector, files)
	if len(rootDir) > sector {
		return fmt.Errorf("iso root directory: %d files do not fit in one sector", len(files))
	}
	total := uint32(rootSector + 1)
	for _, f := range files {
		total += sectors(len(f.Data))
	}
	img := make([]byte, int(total)*sector)
	copy(img[pvdSector*sector:], primaryDescriptor(label, total, pathLSector, pathMSector, rootSector))
	term := img[(pvdSector+1)*sector:]
	term[0] = 255
	copy(term[1:6], "CD001")
	term[6] = 1
	copy(img[pathLSector*sector:], pathTable(rootSector, binary.LittleEndian))
	copy(img[pathMSector*sector:], pathTable(rootSector, binary.BigEndian))
	copy(img[rootSector*sector:], rootDir)
	next := uint32(rootSector + 1)
	for _, f := range files {
		copy(img[int(next)*sector:], f.Data)
		next += sectors(len(f.Data))
	}
	if _, err := w.Write(img); err != nil {
		return fmt.Errorf("write iso image: %w", err)
	}
	return nil
}

func sectors(n int) uint32 {
	return uint32((n + sector - 1) / sector)
}

func both32(b []byte, v uint32) {
	binary.LittleEndian.PutUint32(b[0:4], v)
	binary.BigEndian.PutUint32(b[4:8], v)
}

func both16(b []byte, v uint16) {
	binary.LittleEndian.PutUint16(b[0:2], v)
	binary.BigEndian.PutUint16(b[2:4], v)
}

func padded(b []byte, s string) {
	for i := range b {
		b[i] = ' '
	}
	copy(b, s)
}

func primaryDescriptor(label string, total, pathL, pathM, root uint32) []byte {
	d := make([]byte, sector)
	d[0] = 1
	copy(d[1:6], "CD001")
	d[6] = 1
	padded(d[8:40], "LINUX")
	padded(d[40:72], label)
	both32(d[80:88], total)
	both16(d[120:124], 1)
	both16(d[124:128], 1)
	both16(d[128:132], sector)
	both32(d[132:140], 10)
	binary.LittleEndian.PutUint32(d[140:144], pathL)
	binary.BigEndian.PutUint32(d[148:152], pathM)
	copy(d[156:190], record([]byte{0}, root, sector, true))
	for _, f := range [][2]int{{190, 318}, {318, 446}, {446, 574}, {574, 702}, {702, 739}, {739, 776}, {776, 813}} {
		padded(d[f[0]:f[1]], "")
	}
	padded(d[574:702], "KVIRT")
	for _, off := range []int{813, 830, 847, 864} {
		copy(d[off:off+16], "0000000000000000")
	}
	d[881] = 1
	return d
}

// record is one directory record; extent and size describe the file's data.
func record(id []byte, extent uint32, size int, dir bool) []byte {
	n := 33 + len(id)
	if n%2 == 1 {
		n++
	}
	r := make([]byte, n)
	r[0] = byte(n)
	both32(r[2:10], extent)
	both32(r[10:18], uint32(size))
	if dir {
		r[25] = 2
	}
	both16(r[28:32], 1)
	r[32] = byte(len(id))
	copy(r[33:], id)
	return r
}

func directory(root uint32, files []File) []byte {
	out := record([]byte{0}, root, sector, true)
	out = append(out, record([]byte{1}, root, sector, true)...)
	next := root + 1
	for _, f := range files {
		out = append(out, record([]byte(f.Name), next, len(f.Data), false)...)
		next += sectors(len(f.Data))
	}
	return out
}

func pathTable(root uint32, order binary.ByteOrder) []byte {
	t := make([]byte, 10)
	t[0] = 1
	order.PutUint32(t[2:6], root)
	order.PutUint16(t[6:8], 1)
	return t
}
