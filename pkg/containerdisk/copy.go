package containerdisk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// chunk is the unit of the sparse copy: all-zero chunks become holes.
const chunk = 64 << 10

// CopyInto copies each path (a file or a directory tree) to target/<path>, keeping
// its position below the root so the reader finds it where the image had it.
func CopyInto(target string, paths ...string) error {
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("path %q must be absolute", p)
		}
		err := filepath.WalkDir(p, func(src string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			dst := filepath.Join(target, src)
			switch {
			case d.IsDir():
				return os.MkdirAll(dst, 0o755)
			case d.Type().IsRegular():
				return copyFile(src, dst)
			default:
				return nil // symlinks, devices: not part of a disk or kernel image
			}
		})
		if err != nil {
			return fmt.Errorf("copy %s into %s: %w", p, target, err)
		}
	}
	return nil
}

// copyFile copies one regular file, leaving holes where the source has zeros.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, fi.Mode().Perm()|0o400)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	buf := make([]byte, chunk)
	zero := make([]byte, chunk)
	var off int64
	for {
		n, rerr := io.ReadFull(in, buf)
		if n > 0 && !bytes.Equal(buf[:n], zero[:n]) {
			if _, err := out.WriteAt(buf[:n], off); err != nil {
				return err
			}
		}
		off += int64(n)
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	return out.Truncate(off)
}
