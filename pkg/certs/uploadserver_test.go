package certs

import (
	"crypto/tls"
	"testing"
	"time"
)

func TestIssueSelfSignedServer(t *testing.T) {
	now := time.Now()
	c, err := IssueSelfSignedServer(now, "cdi-upload-dv", 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if got := Fingerprint(pair.Certificate[0]); got != c.SHA256 {
		t.Fatalf("fingerprint %s, want %s", got, c.SHA256)
	}
	sum, notAfter, err := PEMFingerprint(c.CertPEM)
	if err != nil || sum != c.SHA256 || !notAfter.Equal(c.NotAfter) {
		t.Fatalf("PEMFingerprint = %s %s %v", sum, notAfter, err)
	}
	if pair.Leaf.IsCA || pair.Leaf.DNSNames[0] != "cdi-upload-dv" || c.NotAfter.After(now.Add(48*time.Hour)) {
		t.Fatalf("certificate %+v", pair.Leaf)
	}
	if _, err := IssueSelfSignedServer(now, "", time.Hour); err == nil {
		t.Fatal("no name accepted")
	}
	if _, _, err := PEMFingerprint([]byte("junk")); err == nil {
		t.Fatal("junk accepted")
	}
}
