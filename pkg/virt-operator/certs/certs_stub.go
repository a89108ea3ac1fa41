// Package certs issues and rotates kvirt's self-managed CA and the component
// certificates. This file is a stand-in for the real package (issue 6, part A1):
// it keeps the agreed API and a simple 80 %-of-lifetime renewal so virt-operator
// can be built and tested before the real package is merged, which replaces it.
package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Names of the certificate Secrets and the CA bundle ConfigMap.
const (
	CAName            = "kubevirt-ca"
	VirtAPIName       = "kubevirt-virt-api-certs"
	HandlerServerName = "kubevirt-virt-handler-server-certs"
	HandlerClientName = "kubevirt-virt-handler-certs"
	CABundleKey       = "ca-bundle"
)

// Validity is how long a new CA and a new leaf certificate are valid.
type Validity struct{ CA, Cert time.Duration }

// Observed is what the cluster holds now; nil means missing.
type Observed struct {
	CA, VirtAPI, HandlerServer, HandlerClient *corev1.Secret
	CABundle                                  *corev1.ConfigMap
}

// Plan is the desired state: every Secret, the bundle, and when to look again.
type Plan struct {
	Secrets     []*corev1.Secret
	CABundle    *corev1.ConfigMap
	CABundlePEM []byte
	NextRenewal time.Time
}

type leafSpec struct {
	name     string
	cn       string
	dns      []string
	usage    x509.ExtKeyUsage
	observed *corev1.Secret
}

// Desired keeps valid certificates and reissues those past 80 % of their lifetime,
// missing, invalid, or (leaves) not signed by the current CA.
func Desired(now time.Time, namespace string, v Validity, observed Observed) (Plan, error) {
	ca, caCert, caKey, err := desiredCA(now, namespace, v.CA, observed.CA)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Secrets: []*corev1.Secret{ca}, NextRenewal: renewAt(caCert)}
	leaves := []leafSpec{
		{VirtAPIName, "virt-api", []string{"virt-api", "virt-api." + namespace, "virt-api." + namespace + ".svc",
			"virt-api." + namespace + ".svc.cluster.local"}, x509.ExtKeyUsageServerAuth, observed.VirtAPI},
		{HandlerServerName, "virt-handler", []string{"virt-handler." + namespace + ".svc"}, x509.ExtKeyUsageServerAuth, observed.HandlerServer},
		{HandlerClientName, "kubevirt.io:system:client:virt-handler", nil, x509.ExtKeyUsageClientAuth, observed.HandlerClient},
	}
	for _, l := range leaves {
		s, c, err := desiredLeaf(now, namespace, v.Cert, l, caCert, caKey)
		if err != nil {
			return Plan{}, err
		}
		plan.Secrets = append(plan.Secrets, s)
		if r := renewAt(c); r.Before(plan.NextRenewal) {
			plan.NextRenewal = r
		}
	}
	plan.CABundlePEM = bundle(now, ca.Data[corev1.TLSCertKey], observed.CABundle)
	plan.CABundle = &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: CAName},
		Data:       map[string]string{CABundleKey: string(plan.CABundlePEM)},
	}
	return plan, nil
}

func renewAt(c *x509.Certificate) time.Time {
	return c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) * 8 / 10)
}

func parse(s *corev1.Secret) (*x509.Certificate, crypto.Signer, bool) {
	if s == nil {
		return nil, nil, false
	}
	pair, err := tls.X509KeyPair(s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return nil, nil, false
	}
	c, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, false
	}
	k, ok := pair.PrivateKey.(crypto.Signer)
	return c, k, ok
}

func desiredCA(now time.Time, ns string, d time.Duration, obs *corev1.Secret) (*corev1.Secret, *x509.Certificate, crypto.Signer, error) {
	if c, k, ok := parse(obs); ok && c.IsCA && now.Before(renewAt(c)) {
		return secret(ns, CAName, obs.Data[corev1.TLSCertKey], obs.Data[corev1.TLSPrivateKeyKey]), c, k, nil
	}
	tmpl := template(now, d, "kubevirt.io@"+fmt.Sprint(now.Unix()))
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	return issue(ns, CAName, tmpl, nil, nil)
}

func desiredLeaf(now time.Time, ns string, d time.Duration, l leafSpec, ca *x509.Certificate, caKey crypto.Signer) (*corev1.Secret, *x509.Certificate, error) {
	if c, _, ok := parse(l.observed); ok && now.Before(renewAt(c)) && c.CheckSignatureFrom(ca) == nil {
		return secret(ns, l.name, l.observed.Data[corev1.TLSCertKey], l.observed.Data[corev1.TLSPrivateKeyKey]), c, nil
	}
	tmpl := template(now, d, l.cn)
	tmpl.DNSNames, tmpl.ExtKeyUsage = l.dns, []x509.ExtKeyUsage{l.usage}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	s, c, _, err := issue(ns, l.name, tmpl, ca, caKey)
	return s, c, err
}

func template(now time.Time, d time.Duration, cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Second), NotAfter: now.Add(d)}
}

func issue(ns, name string, tmpl, parent *x509.Certificate, parentKey crypto.Signer) (*corev1.Secret, *x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("generate key for %s: %w", name, err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("create certificate %s: %w", name, err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("marshal key %s: %w", name, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("parse certificate %s: %w", name, err)
	}
	s := secret(ns, name, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	return s, c, key, nil
}

func secret(ns, name string, crt, key []byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: crt, corev1.TLSPrivateKeyKey: key},
	}
}

// bundle is the current CA followed by the CAs of the observed bundle that are
// still valid and differ from it.
func bundle(now time.Time, current []byte, observed *corev1.ConfigMap) []byte {
	out := bytes.TrimSpace(current)
	if observed == nil {
		return append(out, '\n')
	}
	rest := []byte(observed.Data[CABundleKey])
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		enc := bytes.TrimSpace(pem.EncodeToMemory(b))
		if err != nil || now.After(c.NotAfter) || bytes.Contains(out, enc) {
			continue
		}
		out = append(append(out, '\n'), enc...)
	}
	return append(out, '\n')
}
