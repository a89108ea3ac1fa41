package certs

import (
	"crypto/x509"
	"fmt"
	"os"
	"sync"
)

// CAPool hands out the certificates of a PEM bundle file as a pool, re-reading
// the file when it changes (CA rotation without restart). It is safe for
// concurrent use.
type CAPool struct {
	file string

	mu      sync.Mutex
	stamp   string
	current *x509.CertPool
}

// NewCAPool loads the bundle once so that a bad path or an empty bundle fails
// at start-up.
func NewCAPool(file string) (*CAPool, error) {
	p := &CAPool{file: file}
	if err := p.refresh(); err != nil {
		return nil, err
	}
	return p, nil
}

// Pool returns the bundle's current certificates. When the file cannot be
// read or holds no certificate, the last good pool stays in use.
func (p *CAPool) Pool() *x509.CertPool {
	_ = p.refresh()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

func (p *CAPool) refresh() error {
	stamp, err := fileStamp(p.file)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil && stamp == p.stamp {
		return nil
	}
	if err != nil {
		return err
	}
	data, err := os.ReadFile(p.file)
	if err != nil {
		return fmt.Errorf("read ca bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return fmt.Errorf("ca bundle %s holds no certificate", p.file)
	}
	p.current, p.stamp = pool, stamp
	return nil
}
