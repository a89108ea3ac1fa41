package imageupload

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// How often progress is drawn: a terminal's bar redraws often, a log gets a
// line now and then.
const (
	barInterval  = 250 * time.Millisecond
	lineInterval = 10 * time.Second
	barWidth     = 40
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// humanBytes is b in the largest binary unit under it, one decimal.
func humanBytes(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := int64(unit), 0
	for n := b / unit; n >= unit && exp < 4; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTP"[exp])
}

func percent(done, total int64) int {
	if total <= 0 {
		return 100
	}
	return int(min(done, total) * 100 / total)
}

// bar is one terminal line: [=====>     ] 12.0 MiB / 256.0 MiB   4%.
func bar(done, total int64, width int) string {
	filled := width
	if total > 0 {
		filled = int(min(done, total) * int64(width) / total)
	}
	b := strings.Repeat("=", filled)
	if filled < width {
		b += ">" + strings.Repeat(" ", width-filled-1)
	}
	return fmt.Sprintf("[%s] %s / %s %3d%%", b, humanBytes(done), humanBytes(total), percent(done, total))
}

// line is a progress line for a log: uploaded 12.0 MiB of 256.0 MiB (4%).
func line(done, total int64) string {
	return fmt.Sprintf("uploaded %s of %s (%d%%)", humanBytes(done), humanBytes(total), percent(done, total))
}

// reporter draws the progress of n towards total on out until stopped.
type reporter struct {
	out   io.Writer
	tty   bool
	total int64
	n     *atomic.Int64
	stop  chan bool
	wg    sync.WaitGroup
	drawn bool
}

func startReporter(out io.Writer, tty bool, total int64, n *atomic.Int64) *reporter {
	r := &reporter{out: out, tty: tty, total: total, n: n, stop: make(chan bool, 1)}
	every := lineInterval
	if tty {
		every = barInterval
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case last := <-r.stop:
				if last {
					r.draw()
				}
				if r.tty && r.drawn {
					_, _ = fmt.Fprintln(r.out)
				}
				return
			case <-t.C:
				r.draw()
			}
		}
	}()
	return r
}

func (r *reporter) draw() {
	r.drawn = true
	if r.tty {
		_, _ = fmt.Fprintf(r.out, "\r%s", bar(r.n.Load(), r.total, barWidth))
		return
	}
	_, _ = fmt.Fprintln(r.out, line(r.n.Load(), r.total))
}

// Stop ends the reporter, drawing the last state first when last (the
// upload went through), and returns once it is done.
func (r *reporter) Stop(last bool) {
	r.stop <- last
	r.wg.Wait()
}
