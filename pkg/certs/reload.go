package certs

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Reloader hands out the key pair stored in two files, reloading it when either
// file's modification time or size changes. It is safe for concurrent use.
type Reloader struct {
	certFile, keyFile string

	mu      sync.Mutex
	stamp   string
	current *tls.Certificate
}

// NewReloader loads the pair once so that a bad path fails at start-up.
func NewReloader(certFile, keyFile string) (*Reloader, error) {
	r := &Reloader{certFile: certFile, keyFile: keyFile}
	if _, err := r.GetCertificate(nil); err != nil {
		return nil, err
	}
	return r, nil
}

// GetCertificate fits tls.Config.GetCertificate. A failed reload keeps serving
// the last good pair.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	stamp, err := r.fileStamp()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil && stamp == r.stamp && r.current != nil {
		return r.current, nil
	}
	pair, loadErr := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err == nil {
		err = loadErr
	}
	if err != nil {
		if r.current != nil {
			return r.current, nil
		}
		return nil, fmt.Errorf("load serving certificate: %w", err)
	}
	r.current, r.stamp = &pair, stamp
	return r.current, nil
}

func (r *Reloader) fileStamp() (string, error) { return fileStamp(r.certFile, r.keyFile) }

// fileStamp identifies the current content of files without reading them:
// the resolved path (a Secret or ConfigMap volume swaps a "..data" symlink to
// a new timestamped directory), modification time and size of each.
func fileStamp(files ...string) (string, error) {
	var stamp string
	for _, f := range files {
		resolved, err := filepath.EvalSymlinks(f)
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", f, err)
		}
		st, err := os.Stat(resolved)
		if err != nil {
			return "", fmt.Errorf("stat %s: %w", f, err)
		}
		stamp += fmt.Sprintf("%s:%d:%d;", resolved, st.ModTime().UnixNano(), st.Size())
	}
	return stamp, nil
}

// certValidityForTests is how long WriteSelfSigned's certificates last.
const certValidityForTests = 30 * 24 * time.Hour
