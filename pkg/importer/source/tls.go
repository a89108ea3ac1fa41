package source

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TLSConfig returns the client TLS configuration: the system roots plus every
// PEM file in certDir (a mounted ConfigMap; its ".." bookkeeping entries are
// skipped), or no verification at all when insecure.
func TLSConfig(certDir string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if insecure {
		cfg.InsecureSkipVerify = true // the user asked for it (--insecure-tls)
		return cfg, nil
	}
	if certDir == "" {
		return cfg, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if err := addCertDir(pool, certDir); err != nil {
		return nil, err
	}
	cfg.RootCAs = pool
	return cfg, nil
}

func addCertDir(pool *x509.CertPool, dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read CA directory: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "..") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			continue
		}
		pem, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read CA bundle: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("CA bundle %s holds no PEM certificate", e.Name())
		}
	}
	return nil
}
