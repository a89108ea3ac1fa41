package consolelog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// DefaultPoll is how often Follow looks for new output.
const DefaultPoll = 250 * time.Millisecond

// Follow copies path to out as it grows, from its start, until ctx ends (then
// it returns nil). It waits for a file that does not exist yet (the launcher
// creates it when the domain starts) and starts over from the beginning of a
// file that shrank or was replaced.
func Follow(ctx context.Context, path string, out io.Writer, poll time.Duration) error {
	if poll <= 0 {
		poll = DefaultPoll
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var (
		f    *os.File
		info os.FileInfo
		off  int64
	)
	defer func() {
		if f != nil {
			_ = f.Close()
		}
	}()
	for {
		var err error
		f, info, off, err = reopenIfReplaced(path, f, info, off)
		if err != nil {
			return err
		}
		if f != nil {
			n, err := io.Copy(out, f)
			off += n
			if err != nil {
				return fmt.Errorf("copy %s: %w", path, err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// reopenIfReplaced opens path when it is not open yet, or again (from its
// start) when the open file is no longer the one at path or shrank below off.
// A file that does not exist yet leaves f nil.
func reopenIfReplaced(path string, f *os.File, info os.FileInfo, off int64) (*os.File, os.FileInfo, int64, error) {
	cur, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, info, off, nil
	}
	if err != nil {
		return f, info, off, fmt.Errorf("stat %s: %w", path, err)
	}
	if f != nil && os.SameFile(info, cur) && cur.Size() >= off {
		return f, info, off, nil
	}
	if f != nil {
		_ = f.Close()
	}
	nf, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, 0, nil
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("open %s: %w", path, err)
	}
	st, err := nf.Stat()
	if err != nil {
		_ = nf.Close()
		return nil, nil, 0, fmt.Errorf("stat %s: %w", path, err)
	}
	return nf, st, 0, nil
}
