package csrsigner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"slices"
	"testing"
	"time"

	"k8s.io/utils/ptr"

	"kvirt.io/kvirt/pkg/nodecert"
)

func testCA(t *testing.T, now time.Time, life time.Duration) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(life), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func TestSign(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	name := nodecert.ServerName("node-a", "kubevirt")
	for _, tc := range []struct {
		name     string
		caLife   time.Duration
		asked    *int32
		wantLife time.Duration
	}{
		{"validity", 7 * 24 * time.Hour, nil, 24 * time.Hour},
		{"request asks for less", 7 * 24 * time.Hour, ptr.To[int32](3600), time.Hour},
		{"request asks for more", 7 * 24 * time.Hour, ptr.To[int32](7 * 24 * 3600), 24 * time.Hour},
		{"capped by the ca", 2 * time.Hour, nil, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ca := testCA(t, now, tc.caLife)
			d := Decide(request(t, csrOpts{}), policy)
			out, err := Sign(d, ca, now, 24*time.Hour, tc.asked)
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(out)
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			pool := x509.NewCertPool()
			pool.AddCert(ca.Leaf)
			if _, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, CurrentTime: now,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
				t.Fatalf("issued certificate does not verify for %s: %v", name, err)
			}
			if cert.Subject.CommonName != name || !slices.Equal(cert.DNSNames, []string{name}) || cert.IsCA ||
				!slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}) {
				t.Errorf("certificate says %s %q %v", cert.Subject, cert.DNSNames, cert.ExtKeyUsage)
			}
			if got := cert.NotAfter.Sub(now); got != tc.wantLife {
				t.Errorf("lifetime %s, want %s", got, tc.wantLife)
			}
		})
	}
}

func TestSignRefusesDenied(t *testing.T) {
	now := time.Now()
	d := Decide(request(t, csrOpts{user: "alice"}), policy)
	if _, err := Sign(d, testCA(t, now, time.Hour), now, time.Hour, nil); err == nil {
		t.Fatal("signed a denied request")
	}
	d = Decide(request(t, csrOpts{}), policy)
	if _, err := Sign(d, testCA(t, now, -time.Minute), now, time.Hour, nil); err == nil {
		t.Fatal("signed with an expired ca")
	}
}
