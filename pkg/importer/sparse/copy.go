package sparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// BlockSize is the granularity at which zero blocks are skipped.
const BlockSize = 64 << 10

// bufferSize is how much is read from the source at once.
const bufferSize = 4 << 20

// ErrTooLarge says the source holds more bytes than the target may take.
var ErrTooLarge = errors.New("the image is larger than the target")

// ErrRead wraps a failure to read the source (as opposed to writing the target).
var ErrRead = errors.New("read source")

// Options say how Copy writes.
type Options struct {
	// SkipZeros leaves all-zero blocks unwritten; only for a target known to
	// read as zeros (a new or truncated file).
	SkipZeros bool
	// Limit is the most bytes the target takes; 0 means no limit.
	Limit int64
}

// Copy writes src into dst from offset 0 and returns the bytes the source held.
// With SkipZeros the caller must extend dst to its final size afterwards (a
// trailing zero run is never written).
func Copy(dst io.WriterAt, src io.Reader, o Options) (int64, error) {
	buf := make([]byte, bufferSize)
	var off int64
	for {
		n, rerr := fill(src, buf)
		if n > 0 {
			if o.Limit > 0 && off+int64(n) > o.Limit {
				return off, fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, o.Limit)
			}
			if err := writeChunk(dst, buf[:n], off, o.SkipZeros); err != nil {
				return off, err
			}
			off += int64(n)
		}
		if rerr == io.EOF { //nolint:errorlint // io.EOF alone ends a stream; a wrapped or unexpected EOF is a failure
			return off, nil
		}
		if rerr != nil {
			return off, fmt.Errorf("%w: %w", ErrRead, rerr)
		}
	}
}

// fill reads into buf until it is full or the source ends or fails; unlike
// io.ReadFull it keeps a source's io.ErrUnexpectedEOF (a cut connection)
// apart from the end of the stream.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeChunk writes chunk at off, as runs of non-zero blocks when skipping zeros.
func writeChunk(dst io.WriterAt, chunk []byte, off int64, skipZeros bool) error {
	if !skipZeros {
		return writeAt(dst, chunk, off)
	}
	for _, r := range dataRuns(chunk, BlockSize) {
		if err := writeAt(dst, chunk[r.start:r.end], off+int64(r.start)); err != nil {
			return err
		}
	}
	return nil
}

func writeAt(dst io.WriterAt, b []byte, off int64) error {
	if _, err := dst.WriteAt(b, off); err != nil {
		return fmt.Errorf("write destination at %d: %w", off, err)
	}
	return nil
}

// run is a half-open byte range of a chunk.
type run struct{ start, end int }

var zeroBlock = make([]byte, BlockSize)

// dataRuns returns the ranges of chunk that are not all zeros, block by block,
// adjacent data blocks merged into one run.
func dataRuns(chunk []byte, block int) []run {
	var runs []run
	for start := 0; start < len(chunk); start += block {
		end := min(start+block, len(chunk))
		if bytes.Equal(chunk[start:end], zeroBlock[:end-start]) {
			continue
		}
		if l := len(runs); l > 0 && runs[l-1].end == start {
			runs[l-1].end = end
			continue
		}
		runs = append(runs, run{start, end})
	}
	return runs
}
