package consolelog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output %q never showed %q", out.String(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func TestFollow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "serial0.log")
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, path, out, 10*time.Millisecond) }()

	// Not there yet: waits, then prints from the start.
	appendTo(t, path, "firmware\nKVIRT-GUEST-BOOTED\n")
	waitFor(t, out, "KVIRT-GUEST-BOOTED\n")
	appendTo(t, path, "second line\n")
	waitFor(t, out, "KVIRT-GUEST-BOOTED\nsecond line\n")

	// Replaced by a new file (a new launcher): printed from its start.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, "new boot\n")
	waitFor(t, out, "second line\nnew boot\n")

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if got := strings.Count(out.String(), "KVIRT-GUEST-BOOTED"); got != 1 {
		t.Errorf("boot marker printed %d times, want once:\n%s", got, out.String())
	}
}
