package cloudinit

import (
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

const sector = 2048

// File is one file of an ISO image; Name may contain directories
// ("openstack/latest/user_data").
type File struct {
	Name string
	Data []byte
}

// isoDir is a directory of the image being laid out.
type isoDir struct {
	name    string
	parent  *isoDir
	number  int // 1-based, path table order
	extent  uint32
	subdirs []*isoDir
	files   []*isoFile
}

type isoFile struct {
	name   string
	data   []byte
	extent uint32
}

// WriteISO writes an ISO 9660 image with the given volume label and files.
// Names are recorded as given (Linux shows them in lower case); the output is
// deterministic: timestamps are zero and entries sorted.
func WriteISO(w io.Writer, label string, files []File) error {
	root, dirs, err := buildTree(files)
	if err != nil {
		return err
	}
	const pvdSector, pathLSector, pathMSector = 16, 18, 19
	next := uint32(pathMSector + 1)
	for _, d := range dirs {
		d.extent = next
		next++
	}
	for _, d := range dirs {
		for _, f := range d.files {
			f.extent = next
			next += sectors(len(f.data))
		}
	}
	pathL, pathM := pathTable(dirs, binary.LittleEndian), pathTable(dirs, binary.BigEndian)
	if len(pathL) > sector {
		return fmt.Errorf("iso path table: %d directories do not fit in one sector", len(dirs))
	}
	img := make([]byte, int(next)*sector)
	copy(img[pvdSector*sector:], primaryDescriptor(label, next, uint32(len(pathL)), pathLSector, pathMSector, root.extent))
	term := img[(pvdSector+1)*sector:]
	term[0] = 255
	copy(term[1:6], "CD001")
	term[6] = 1
	copy(img[pathLSector*sector:], pathL)
	copy(img[pathMSector*sector:], pathM)
	for _, d := range dirs {
		rec := directory(d)
		if len(rec) > sector {
			return fmt.Errorf("iso directory %q: too many entries for one sector", d.name)
		}
		copy(img[int(d.extent)*sector:], rec)
		for _, f := range d.files {
			copy(img[int(f.extent)*sector:], f.data)
		}
	}
	if _, err := w.Write(img); err != nil {
		return fmt.Errorf("write iso image: %w", err)
	}
	return nil
}

// buildTree returns the root and every directory in path table order
// (breadth first, siblings by name).
func buildTree(files []File) (*isoDir, []*isoDir, error) {
	root := &isoDir{}
	byPath := map[string]*isoDir{"": root}
	var dirOf func(p string) *isoDir
	dirOf = func(p string) *isoDir {
		if d, ok := byPath[p]; ok {
			return d
		}
		parent := root
		if up := path.Dir(p); up != "." {
			parent = dirOf(up)
		}
		d := &isoDir{name: path.Base(p), parent: parent}
		parent.subdirs = append(parent.subdirs, d)
		byPath[p] = d
		return d
	}
	for _, f := range files {
		name := path.Base(f.Name)
		for _, part := range strings.Split(f.Name, "/") {
			if part == "" || len(part) > 30 || part == "." || part == ".." {
				return nil, nil, fmt.Errorf("iso file name %q: each part must be 1 to 30 characters", f.Name)
			}
		}
		dir := root
		if d := path.Dir(f.Name); d != "." {
			dir = dirOf(d)
		}
		dir.files = append(dir.files, &isoFile{name: name, data: f.Data})
	}
	dirs := []*isoDir{root}
	for i := 0; i < len(dirs); i++ {
		d := dirs[i]
		d.number = i + 1
		sort.Slice(d.subdirs, func(a, b int) bool { return d.subdirs[a].name < d.subdirs[b].name })
		sort.Slice(d.files, func(a, b int) bool { return d.files[a].name < d.files[b].name })
		dirs = append(dirs, d.subdirs...)
	}
	return root, dirs, nil
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

func primaryDescriptor(label string, total, pathSize, pathL, pathM, root uint32) []byte {
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
	both32(d[132:140], pathSize)
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

// record is one directory record; extent and size describe the data.
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

func directory(d *isoDir) []byte {
	parent := d
	if d.parent != nil {
		parent = d.parent
	}
	out := record([]byte{0}, d.extent, sector, true)
	out = append(out, record([]byte{1}, parent.extent, sector, true)...)
	type entry struct {
		name string
		rec  []byte
	}
	var entries []entry
	for _, s := range d.subdirs {
		entries = append(entries, entry{s.name, record([]byte(s.name), s.extent, sector, true)})
	}
	for _, f := range d.files {
		entries = append(entries, entry{f.name, record([]byte(f.name), f.extent, len(f.data), false)})
	}
	sort.Slice(entries, func(a, b int) bool { return entries[a].name < entries[b].name })
	for _, e := range entries {
		out = append(out, e.rec...)
	}
	return out
}

func pathTable(dirs []*isoDir, order binary.ByteOrder) []byte {
	var t []byte
	for _, d := range dirs {
		id, parent := []byte(d.name), 1
		if d.parent == nil {
			id = []byte{0}
		} else {
			parent = d.parent.number
		}
		e := make([]byte, 8+len(id)+len(id)%2)
		e[0] = byte(len(id))
		order.PutUint32(e[2:6], d.extent)
		order.PutUint16(e[6:8], uint16(parent))
		copy(e[8:], id)
		t = append(t, e...)
	}
	return t
}
