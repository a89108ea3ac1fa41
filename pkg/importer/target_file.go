package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kvirt.io/kvirt/pkg/importer/qemuimg"
	"kvirt.io/kvirt/pkg/importer/sparse"
)

// partSuffix names the file an import writes before renaming it into place, so
// that a killed import never leaves a disk.img that looks complete.
const partSuffix = ".importing"

// fileTarget is a raw disk image file on a Filesystem volume.
type fileTarget struct {
	dest, part string
	size       int64
	scratch    string
}

func newFileTarget(dest string, size int64, scratchDir string) (*fileTarget, error) {
	t := &fileTarget{dest: dest, part: dest + partSuffix, size: size, scratch: scratchDir}
	// A killed run may have left its part file and, when the volume was its
	// scratch space, its download: neither may stay in the user's volume.
	for _, stale := range []string{t.part, filepath.Join(filepath.Dir(dest), scratchName)} {
		if err := os.Remove(stale); err != nil && !os.IsNotExist(err) {
			return nil, fail(reasonWrite, fmt.Errorf("remove what an earlier run left: %w", err))
		}
	}
	return t, nil
}

func (t *fileTarget) Capacity() int64 { return t.size }

// ScratchDir is the scratch directory when mounted, else the destination's.
func (t *fileTarget) ScratchDir() (string, error) {
	if t.scratch != "" && writableDir(t.scratch) {
		return t.scratch, nil
	}
	return filepath.Dir(t.dest), nil
}

func (t *fileTarget) WriteRaw(src io.Reader) error {
	f, err := os.OpenFile(t.part, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o660)
	if err != nil {
		return fail(reasonWrite, err)
	}
	defer f.Close()
	if _, err := sparse.Copy(f, src, sparse.Options{SkipZeros: true, Limit: t.size}); err != nil {
		return copyFailure(err, t.size)
	}
	return t.commit(f)
}

func (t *fileTarget) Convert(ctx context.Context, src, format string) error {
	if err := qemuimg.Convert(ctx, src, format, t.part, false); err != nil {
		return fail(reasonProcess, err)
	}
	f, err := os.OpenFile(t.part, os.O_WRONLY, 0)
	if err != nil {
		return fail(reasonWrite, err)
	}
	defer f.Close()
	return t.commit(f)
}

func (t *fileTarget) Blank() error {
	f, err := os.OpenFile(t.part, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o660)
	if err != nil {
		return fail(reasonWrite, err)
	}
	defer f.Close()
	return t.commit(f)
}

// commit extends the part file to the target size (the guest sees the
// target's size, as with CDI), syncs it and renames it into place.
func (t *fileTarget) commit(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return fail(reasonWrite, err)
	}
	if st.Size() > t.size {
		return checkFits(st.Size(), t.size)
	}
	if err := f.Truncate(t.size); err != nil {
		return fail(reasonWrite, fmt.Errorf("resize to %d: %w", t.size, err))
	}
	if err := f.Sync(); err != nil {
		return fail(reasonWrite, err)
	}
	if err := os.Rename(t.part, t.dest); err != nil {
		return fail(reasonWrite, err)
	}
	return syncDir(filepath.Dir(t.dest))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fail(reasonWrite, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fail(reasonWrite, err)
	}
	return nil
}
