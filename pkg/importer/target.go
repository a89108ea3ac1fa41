package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// target is the volume an import fills: a disk image file (Filesystem) or a
// block device. Each method leaves the target complete or reports an error;
// a rerun after a kill starts again from the beginning.
type target interface {
	// Capacity is the most guest-visible bytes the target takes.
	Capacity() int64
	// WriteRaw copies a raw image stream into the target.
	WriteRaw(src io.Reader) error
	// Convert converts the image file src of format into the target as raw.
	Convert(ctx context.Context, src, format string) error
	// Blank makes the target an empty disk.
	Blank() error
	// ScratchDir is where a download waits for conversion.
	ScratchDir() (string, error)
}

// openTarget returns the target at dest: a block device when dest is one,
// else a disk image file of imageSize bytes.
func openTarget(dest string, imageSize int64, scratchDir string) (target, error) {
	st, err := os.Stat(dest)
	if err == nil && st.Mode()&os.ModeDevice != 0 {
		return openBlockTarget(dest, scratchDir)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fail(reasonWrite, err)
	}
	if imageSize <= 0 {
		return nil, &Failure{Reason: reasonFlags, Err: fmt.Errorf(
			"--image-size is required for the Filesystem destination %s", dest)}
	}
	return newFileTarget(dest, imageSize, scratchDir)
}

// writableDir reports whether path is a directory this process may create
// files in (a mounted scratch volume, not an image's empty mount point).
func writableDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir() && unix.Access(path, unix.W_OK) == nil
}
