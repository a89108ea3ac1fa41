package csrsigner

import (
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// backdate tolerates clocks of nodes slightly behind the operator's.
const backdate = time.Minute

// Sign issues the approved request d for at most validity (shorter when the
// request asks for fewer expirationSeconds), never past the CA's expiry.
func Sign(d Decision, ca tls.Certificate, now time.Time, validity time.Duration, expirationSeconds *int32) ([]byte, error) {
	if !d.Approve || d.Request == nil {
		return nil, errors.New("sign: the request is not approved")
	}
	caCert := ca.Leaf
	if caCert == nil {
		return nil, errors.New("sign: ca certificate is not parsed")
	}
	signer, ok := ca.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, errors.New("sign: ca key cannot sign")
	}
	if expirationSeconds != nil {
		if asked := time.Duration(*expirationSeconds) * time.Second; asked > 0 && asked < validity {
			validity = asked
		}
	}
	notAfter := now.Add(validity)
	if notAfter.After(caCert.NotAfter) {
		notAfter = caCert.NotAfter
	}
	if !notAfter.After(now) {
		return nil, errors.New("sign: the ca has expired")
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: d.DNSName},
		DNSNames:              []string{d.DNSName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, d.Request.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", d.DNSName, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
