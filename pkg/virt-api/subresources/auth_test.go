package subresources

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA(t *testing.T) testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{cert, key}
}

func (ca testCA) client(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

func TestAuthenticateTrustsHeadersOnlyFromTheFrontProxy(t *testing.T) {
	trusted, other := newCA(t), newCA(t)
	pool := x509.NewCertPool()
	pool.AddCert(trusted.cert)
	cfg := RequestHeaderConfig{ClientCAs: pool, AllowedNames: []string{"front-proxy-client"},
		UsernameHeader: []string{"X-Remote-User"}, GroupHeaders: []string{"X-Remote-Group"}, ExtraPrefixes: []string{"X-Remote-Extra-"}}
	request := func(cert *x509.Certificate) *http.Request {
		r := httptest.NewRequest(http.MethodPut, "/", nil)
		r.Header.Set("X-Remote-User", "alice")
		r.Header.Add("X-Remote-Group", "devs")
		r.Header.Set("X-Remote-Extra-Scopes", "a")
		if cert != nil {
			r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}}
		}
		return r
	}
	u, err := cfg.authenticate(request(trusted.client(t, "front-proxy-client")))
	if err != nil || u.name != "alice" || len(u.groups) != 1 || u.groups[0] != "devs" || len(u.extra["scopes"]) != 1 {
		t.Fatalf("front proxy: user %+v, err %v", u, err)
	}
	for name, r := range map[string]*http.Request{
		"no certificate":   request(nil),
		"other CA":         request(other.client(t, "front-proxy-client")),
		"name not allowed": request(trusted.client(t, "someone-else")),
	} {
		if _, err := cfg.authenticate(r); err == nil {
			t.Errorf("%s: authenticated", name)
		}
	}
}
