package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// UploadProxyCommonName is the subject of virt-api's client certificate for
// DataVolume upload servers: virt-operator issues it from the kubevirt CA and
// an upload server accepts no other name, so no other certificate of that CA
// (virt-handler's, say) can write into a tenant's volume.
const UploadProxyCommonName = "kvirt.io:upload-proxy"

// ServerCert is a freshly issued self-signed serving certificate.
type ServerCert struct {
	CertPEM, KeyPEM []byte
	// SHA256 is the hex SHA-256 of the certificate's DER, what a client pins.
	SHA256 string
	// NotAfter is when it expires.
	NotAfter time.Time
}

// IssueSelfSignedServer creates an ECDSA P-256 self-signed serving
// certificate for dnsName, valid from now (less a minute of clock skew) for
// validity. It is not a CA: clients pin it by SHA256 instead of chaining.
func IssueSelfSignedServer(now time.Time, dnsName string, validity time.Duration) (ServerCert, error) {
	if dnsName == "" || validity <= 0 {
		return ServerCert{}, errors.New("a name and a positive validity are required")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return ServerCert{}, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return ServerCert{}, fmt.Errorf("serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: dnsName},
		DNSNames:              []string{dnsName},
		NotBefore:             now.Add(-time.Minute).Truncate(time.Second),
		NotAfter:              now.Add(validity).Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return ServerCert{}, fmt.Errorf("create certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return ServerCert{}, fmt.Errorf("marshal key: %w", err)
	}
	return ServerCert{
		CertPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		SHA256:   Fingerprint(der),
		NotAfter: tmpl.NotAfter,
	}, nil
}

// Fingerprint is the lowercase hex SHA-256 of a certificate's DER bytes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// PEMFingerprint is Fingerprint of the first certificate in certPEM, with the
// certificate's expiry.
func PEMFingerprint(certPEM []byte) (string, time.Time, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return "", time.Time{}, errors.New("no PEM certificate")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("parse certificate: %w", err)
	}
	return Fingerprint(block.Bytes), c.NotAfter, nil
}
