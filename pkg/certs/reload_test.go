package certs

import (
	"bytes"
	"testing"
)

func TestReloaderPicksUpRotation(t *testing.T) {
	dir := t.TempDir()
	first, err := WriteSelfSigned(dir, "one", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReloader(first.CertFile, first.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := r.GetCertificate(nil)
	second, err := WriteSelfSigned(dir, "two", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := r.GetCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(c1.Certificate[0], c2.Certificate[0]) || bytes.Equal(first.CAPEM, second.CAPEM) {
		t.Fatal("rotated certificate was not picked up")
	}
}
