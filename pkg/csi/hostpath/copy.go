package hostpath

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// copyData fills dst (already created, of the same access type) from src: a
// directory tree copy for Filesystem volumes, a sparse-preserving file copy
// for Block volumes.
func copyData(src, dst string, at AccessType) error {
	if at == AccessBlock {
		return copySparse(src, dst)
	}
	return copyTree(src, dst)
}

// copyTree copies regular files, directories and symlinks under src into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		to := filepath.Join(dst, rel)
		info, err := e.Info()
		if err != nil {
			return err
		}
		switch {
		case e.IsDir():
			return os.Mkdir(to, info.Mode().Perm())
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		case info.Mode().IsRegular():
			return copySparse(p, to)
		}
		return nil // sockets, fifos and devices are not copied
	})
}

// copySparse copies src to dst skipping all-zero blocks, so holes stay holes,
// and sizes dst to src's size.
func copySparse(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", src, err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, st.Mode().Perm())
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	defer out.Close()
	if err := copyExtents(in, out, st.Size()); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	if err := growFile(out, st.Size()); err != nil {
		return err
	}
	return out.Close()
}

// copyExtents copies the data extents of in (SEEK_DATA/SEEK_HOLE) to the same
// offsets of out, skipping all-zero blocks inside them too.
func copyExtents(in, out *os.File, size int64) error {
	fd := int(in.Fd())
	buf := make([]byte, 64<<10)
	zero := make([]byte, len(buf))
	for off := int64(0); off < size; {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			return nil // only a hole is left
		}
		if err != nil {
			return err
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return err
		}
		for off = data; off < hole; {
			n, err := in.ReadAt(buf[:min(int64(len(buf)), hole-off)], off)
			if n > 0 && !bytes.Equal(buf[:n], zero[:n]) {
				if _, err := out.WriteAt(buf[:n], off); err != nil {
					return err
				}
			}
			off += int64(n)
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			if n == 0 {
				break
			}
		}
	}
	return nil
}
