package source

import (
	"fmt"
	"io"
	"os"
)

// Stream is an open source of bytes.
type Stream struct {
	// Body is read once, from the start; the caller closes it.
	Body io.ReadCloser
	// Size is the source's length in bytes when known, else 0.
	Size int64
}

// OpenFile opens a source PVC's disk image file or block device; its size is
// where it ends (a block device has no useful stat size).
func OpenFile(path string) (*Stream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open source: %w", err)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("size of source %s: %w", path, err)
	}
	return &Stream{Body: f, Size: size}, nil
}
