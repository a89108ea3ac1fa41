package ociimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// epoch is the modification time of every entry, so layers do not depend on when or
// where they were built.
var epoch = time.Unix(0, 0).UTC()

// keptModeBits are the mode bits a layer keeps: permissions, setuid/setgid, sticky.
const keptModeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// tarMode converts file mode bits to the numeric mode of a tar header.
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}

// Entry is one file system object of a layer. Path is relative to the image root
// ("usr/bin/x"). Exactly one of Source (a host file copied as-is), Data (contents),
// Link (a symlink target) or Dir describes it.
type Entry struct {
	Path   string
	Mode   fs.FileMode
	Source string
	Data   []byte
	Link   string
	Dir    bool
}

// FileFromHost is an Entry copying the host file src to dst in the image.
func FileFromHost(src, dst string, mode fs.FileMode) Entry {
	return Entry{Path: dst, Source: src, Mode: mode}
}

// TreeEntries walks root on the host and returns an Entry for every directory,
// regular file and symlink below it, placed under prefix in the image. Device nodes,
// sockets and pipes are skipped: images never need them.
func TreeEntries(root, prefix string) ([]Entry, error) {
	var entries []Entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		dst := path.Join(prefix, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			entries = append(entries, Entry{Path: dst, Dir: true, Mode: info.Mode() & keptModeBits})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			entries = append(entries, Entry{Path: dst, Link: target})
		case d.Type().IsRegular():
			entries = append(entries, Entry{Path: dst, Source: p, Mode: info.Mode() & keptModeBits})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", root, err)
	}
	return entries, nil
}

// parentDirs returns the entries plus a directory entry (0755) for every parent that
// has none, sorted by path so the tar stream is the same for the same set of entries.
func parentDirs(entries []Entry) []Entry {
	seen := map[string]bool{}
	for _, e := range entries {
		seen[clean(e.Path)] = true
	}
	out := append([]Entry(nil), entries...)
	for _, e := range entries {
		for dir := path.Dir(clean(e.Path)); dir != "." && dir != "/" && !seen[dir]; dir = path.Dir(dir) {
			seen[dir] = true
			out = append(out, Entry{Path: dir, Dir: true, Mode: 0o755})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return clean(out[i].Path) < clean(out[j].Path) })
	return out
}

func clean(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// TarLayer writes the entries as an uncompressed tar stream: owner root, mtime
// epoch, entries sorted by path, missing parent directories added.
func TarLayer(w io.Writer, entries []Entry) error {
	tw := tar.NewWriter(w)
	for _, e := range parentDirs(entries) {
		if err := writeEntry(tw, e); err != nil {
			return fmt.Errorf("layer entry %s: %w", e.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("close layer: %w", err)
	}
	return nil
}

func writeEntry(tw *tar.Writer, e Entry) error {
	name := clean(e.Path)
	if name == "" {
		return nil
	}
	hdr := &tar.Header{Name: name, Mode: tarMode(e.Mode), ModTime: epoch, Format: tar.FormatPAX}
	switch {
	case e.Dir:
		hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
		return tw.WriteHeader(hdr)
	case e.Link != "":
		hdr.Typeflag, hdr.Linkname, hdr.Mode = tar.TypeSymlink, e.Link, 0o777
		return tw.WriteHeader(hdr)
	case e.Source != "":
		return writeHostFile(tw, hdr, e.Source)
	default:
		hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.Data))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(e.Data)
		return err
	}
}

func writeHostFile(tw *tar.Writer, hdr *tar.Header, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	hdr.Typeflag, hdr.Size = tar.TypeReg, info.Size()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// NewLayer builds a gzip-compressed layer from the entries. Small layers are built in
// memory; pass a spool file path for big ones (the tar is written there first).
func NewLayer(entries []Entry, spool string) (v1.Layer, error) {
	if spool == "" {
		var buf bytes.Buffer
		if err := TarLayer(&buf, entries); err != nil {
			return nil, err
		}
		data := buf.Bytes()
		return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		})
	}
	f, err := os.Create(spool)
	if err != nil {
		return nil, fmt.Errorf("create spool: %w", err)
	}
	if err := TarLayer(f, entries); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close spool: %w", err)
	}
	return tarball.LayerFromFile(spool)
}
