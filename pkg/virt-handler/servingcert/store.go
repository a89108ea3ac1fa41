package servingcert

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// fileName holds the certificate (PEM) followed by its key, in one file so
// that a crash never leaves a key beside another key's certificate.
const fileName = "tls.pem"

// load reads the stored pair; a missing file is (nil, nil).
func load(dir string) (*tls.Certificate, error) {
	data, err := os.ReadFile(filepath.Join(dir, fileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read stored node api certificate: %w", err)
	}
	pair, err := tls.X509KeyPair(data, data)
	if err != nil {
		return nil, fmt.Errorf("stored node api certificate: %w", err)
	}
	return &pair, nil
}

// store writes certificate and key atomically (temp file, fsync, rename),
// readable by root only.
func store(dir string, certPEM, keyPEM []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, fileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("store node api certificate: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	_, err = tmp.Write(append(append([]byte{}, certPEM...), keyPEM...))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, fileName)); err != nil {
		return fmt.Errorf("store node api certificate: %w", err)
	}
	return nil
}
