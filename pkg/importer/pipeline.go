package importer

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/importer/format"
	"kvirt.io/kvirt/pkg/importer/progress"
	"kvirt.io/kvirt/pkg/importer/qemuimg"
	"kvirt.io/kvirt/pkg/importer/source"
	"kvirt.io/kvirt/pkg/importer/sparse"
)

// scratchName is the download of an image that qemu-img converts.
const scratchName = ".kvirt-import-source"

// readAhead is the buffer in front of the source, also what format
// detection peeks into.
const readAhead = 1 << 20

// image is a source stream with its format known.
type image struct {
	r      *bufio.Reader
	format format.Format
	header []byte
	// size is the stream's length when known (not after decompression).
	size int64
}

// writeImage imports a disk image stream of any supported format into t.
func writeImage(ctx context.Context, s *source.Stream, t target, c *progress.Counter) error {
	c.SetTotal(s.Size)
	img, err := detect(c.Reader(s.Body), s.Size)
	if err != nil {
		return err
	}
	if img.format == format.Qcow2 {
		virtual, err := format.Qcow2VirtualSize(img.header)
		if err != nil {
			return fail(reasonProcess, err)
		}
		if err := checkFits(int64(virtual), t.Capacity()); err != nil {
			return err
		}
	}
	if img.format.NeedsConversion() {
		return convert(ctx, img, t)
	}
	if img.size > 0 {
		if err := checkFits(img.size, t.Capacity()); err != nil {
			return err
		}
	}
	return t.WriteRaw(img.r)
}

// detect reads the stream's format, unwrapping gzip (once); other
// compressions are refused.
func detect(r io.Reader, size int64) (*image, error) {
	img, err := peek(r, size)
	if err != nil || img.format != format.Gzip {
		return img, err
	}
	gz, err := gzip.NewReader(img.r)
	if err != nil {
		return nil, fail(reasonProcess, fmt.Errorf("gzip: %w", err))
	}
	img, err = peek(gz, 0)
	if err == nil && img.format.Compressed() {
		err = &Failure{Reason: reasonProcess, Err: fmt.Errorf("%s inside gzip is not supported", img.format)}
	}
	return img, err
}

func peek(r io.Reader, size int64) (*image, error) {
	br := bufio.NewReaderSize(r, readAhead)
	header, err := br.Peek(format.HeaderSize)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fail(reasonRead, err)
	}
	img := &image{r: br, format: format.Detect(header), header: header, size: size}
	if img.format.Compressed() && img.format != format.Gzip {
		return nil, &Failure{Reason: reasonProcess, Err: fmt.Errorf(
			"%s-compressed images are not supported (only gzip); decompress the image first", img.format)}
	}
	return img, nil
}

// convert downloads the image into scratch space, checks its virtual size
// with qemu-img and converts it into the target.
func convert(ctx context.Context, img *image, t target) error {
	dir, err := t.ScratchDir()
	if err != nil {
		return err
	}
	log := klog.FromContext(ctx)
	path := filepath.Join(dir, scratchName)
	defer func() { _ = os.Remove(path) }()
	start := time.Now()
	if err := download(path, img.r); err != nil {
		return err
	}
	log.Info("downloaded for conversion", "format", img.format, "path", path, "seconds", time.Since(start).Seconds())
	info, err := qemuimg.ReadInfo(ctx, path, string(img.format))
	if err != nil {
		return fail(reasonProcess, err)
	}
	if info.BackingFile != "" {
		return &Failure{Reason: reasonProcess, Err: errors.New("the image has a backing file")}
	}
	if err := checkFits(info.VirtualSize, t.Capacity()); err != nil {
		return err
	}
	start = time.Now()
	if err := t.Convert(ctx, path, string(img.format)); err != nil {
		return err
	}
	log.Info("converted to raw", "virtualSize", info.VirtualSize, "seconds", time.Since(start).Seconds())
	return nil
}

// download writes r to a new sparse file at path (truncating one a killed
// run left).
func download(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fail(reasonScratch, err)
	}
	defer f.Close()
	n, err := sparse.Copy(f, r, sparse.Options{SkipZeros: true})
	if err != nil {
		if errors.Is(err, sparse.ErrRead) {
			return fail(reasonRead, err)
		}
		return fail(reasonScratch, err)
	}
	if err := f.Truncate(n); err != nil {
		return fail(reasonScratch, err)
	}
	return nil
}
