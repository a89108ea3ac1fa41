package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"kvirt.io/kvirt/pkg/importer/qemuimg"
	"kvirt.io/kvirt/pkg/importer/sparse"
)

// blankBytes is how much of a block device a blank import zeroes: enough to
// drop an old partition table or filesystem signature at its start.
const blankBytes = 1 << 20

// blockTarget is the device of a Block volume: it is never truncated and may
// hold old data, so every byte of the image is written.
type blockTarget struct {
	dev     string
	size    int64
	scratch string
}

func openBlockTarget(dev, scratchDir string) (*blockTarget, error) {
	f, err := os.Open(dev)
	if err != nil {
		return nil, fail(reasonWrite, err)
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fail(reasonWrite, fmt.Errorf("size of %s: %w", dev, err))
	}
	return &blockTarget{dev: dev, size: size, scratch: scratchDir}, nil
}

func (t *blockTarget) Capacity() int64 { return t.size }

func (t *blockTarget) ScratchDir() (string, error) {
	if t.scratch != "" && writableDir(t.scratch) {
		return t.scratch, nil
	}
	return "", &Failure{Reason: reasonScratch, Err: errors.New(
		"converting an image into a Block volume needs a scratch directory (--scratch-dir)")}
}

func (t *blockTarget) WriteRaw(src io.Reader) error {
	f, err := os.OpenFile(t.dev, os.O_WRONLY, 0)
	if err != nil {
		return fail(reasonWrite, err)
	}
	defer f.Close()
	if _, err := sparse.Copy(f, src, sparse.Options{Limit: t.size}); err != nil {
		return copyFailure(err, t.size)
	}
	return syncFile(f)
}

func (t *blockTarget) Convert(ctx context.Context, src, format string) error {
	return fail(reasonProcess, qemuimg.Convert(ctx, src, format, t.dev, true))
}

func (t *blockTarget) Blank() error {
	f, err := os.OpenFile(t.dev, os.O_WRONLY, 0)
	if err != nil {
		return fail(reasonWrite, err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, min(blankBytes, t.size)), 0); err != nil {
		return fail(reasonWrite, err)
	}
	return syncFile(f)
}

func syncFile(f *os.File) error {
	if err := f.Sync(); err != nil {
		return fail(reasonWrite, err)
	}
	return nil
}
