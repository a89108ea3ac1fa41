package controlplane

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

const (
	// certValidity is long enough for a developer's `up` cluster to outlive a release.
	certValidity = 365 * 24 * time.Hour
	// adminUser is the admin client certificate's user; its group is system:masters.
	adminUser = "kvirt-admin"
	// frontProxyClientName is the CN the aggregator presents to extension apiservers;
	// it is the only name allowed by --requestheader-allowed-names.
	frontProxyClientName = "front-proxy-client"
	// serviceAccountIssuer is the issuer of service account tokens.
	serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local"
	// kubernetesServiceIP is the first address of the service range (config only).
	kubernetesServiceIP = "10.96.0.1"
)

// keyPair is a certificate with its private key, in memory and PEM-encoded.
type keyPair struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

// pkiFiles are the paths of everything the control plane reads from <work>/pki.
type pkiFiles struct {
	CACert, CAKey                   string
	ServingCert, ServingKey         string
	AdminCert, AdminKey             string
	FrontProxyCACert                string
	FrontProxyClient, FrontProxyKey string
	ServiceAccountKey               string
	ServiceAccountPub               string
}

func newPKIFiles(dir string) pkiFiles {
	p := func(name string) string { return filepath.Join(dir, name) }
	return pkiFiles{
		CACert: p("ca.crt"), CAKey: p("ca.key"),
		ServingCert: p("apiserver.crt"), ServingKey: p("apiserver.key"),
		AdminCert: p("admin.crt"), AdminKey: p("admin.key"),
		FrontProxyCACert: p("front-proxy-ca.crt"),
		FrontProxyClient: p("front-proxy-client.crt"), FrontProxyKey: p("front-proxy-client.key"),
		ServiceAccountKey: p("sa.key"), ServiceAccountPub: p("sa.pub"),
	}
}

// credentials is what clients need: the CA bundle and the admin key pair.
type credentials struct {
	caPEM        []byte
	adminCertPEM []byte
	adminKeyPEM  []byte
}

// generatedPKI is every key and certificate of one control plane.
type generatedPKI struct {
	ca, serving, admin *keyPair
	frontProxyCA       *keyPair
	frontProxyClient   *keyPair
	serviceAccount     *ecdsa.PrivateKey
}

// writePKI generates a fresh CA, apiserver serving certificate, admin client
// certificate, front-proxy CA and client certificate and service-account key pair,
// and writes them to dir.
func writePKI(dir string) (pkiFiles, credentials, error) {
	files := newPKIFiles(dir)
	g, err := generatePKI()
	if err != nil {
		return files, credentials{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return files, credentials{}, fmt.Errorf("create pki dir: %w", err)
	}
	if err := g.write(files); err != nil {
		return files, credentials{}, err
	}
	return files, credentials{caPEM: g.ca.certPEM, adminCertPEM: g.admin.certPEM, adminKeyPEM: g.admin.keyPEM}, nil
}

func generatePKI() (*generatedPKI, error) {
	var g generatedPKI
	var err error
	if g.ca, err = newCA("kvirt-control-plane-ca"); err != nil {
		return nil, err
	}
	if g.serving, err = sign(servingTemplate(), g.ca); err != nil {
		return nil, err
	}
	if g.admin, err = sign(clientTemplate(adminUser, "system:masters"), g.ca); err != nil {
		return nil, err
	}
	if g.frontProxyCA, err = newCA("kvirt-front-proxy-ca"); err != nil {
		return nil, err
	}
	if g.frontProxyClient, err = sign(clientTemplate(frontProxyClientName), g.frontProxyCA); err != nil {
		return nil, err
	}
	if g.serviceAccount, err = newKey(); err != nil {
		return nil, err
	}
	return &g, nil
}

func (g *generatedPKI) write(files pkiFiles) error {
	saKey, err := encodeKey(g.serviceAccount)
	if err != nil {
		return err
	}
	saPubDER, err := x509.MarshalPKIXPublicKey(g.serviceAccount.Public())
	if err != nil {
		return fmt.Errorf("encode service account public key: %w", err)
	}
	writes := []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{files.CACert, g.ca.certPEM, 0o644}, {files.CAKey, g.ca.keyPEM, 0o600},
		{files.ServingCert, g.serving.certPEM, 0o644}, {files.ServingKey, g.serving.keyPEM, 0o600},
		{files.AdminCert, g.admin.certPEM, 0o644}, {files.AdminKey, g.admin.keyPEM, 0o600},
		{files.FrontProxyCACert, g.frontProxyCA.certPEM, 0o644},
		{files.FrontProxyClient, g.frontProxyClient.certPEM, 0o644},
		{files.FrontProxyKey, g.frontProxyClient.keyPEM, 0o600},
		{files.ServiceAccountKey, saKey, 0o600},
		{files.ServiceAccountPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPubDER}), 0o644},
	}
	for _, w := range writes {
		if err := os.WriteFile(w.path, w.data, w.mode); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Base(w.path), err)
		}
	}
	return nil
}

func newKey() (*ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return key, nil
}

func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generate serial number: %w", err)
	}
	return n, nil
}

func newCA(name string) (*keyPair, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return sign(tmpl, nil)
}

func servingTemplate() *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{
			"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local",
		},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback, net.ParseIP(kubernetesServiceIP)},
	}
}

func clientTemplate(user string, groups ...string) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: user, Organization: groups},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
}

// sign issues tmpl with a fresh key, signed by ca or self-signed when ca is nil.
func sign(tmpl *x509.Certificate, ca *keyPair) (*keyPair, error) {
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.Add(certValidity)
	parent, signer := tmpl, crypto.Signer(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("sign certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	return &keyPair{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  keyPEM,
	}, nil
}
