package certs

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Validity holds the lifetimes of the CA and of the leaf certificates.
type Validity struct{ CA, Cert time.Duration }

// Observed is what exists in the cluster (nil when missing).
type Observed struct {
	CA, VirtAPI, HandlerServer, HandlerClient *corev1.Secret
	CABundle                                  *corev1.ConfigMap
}

// Plan is what must exist: every Secret and the ConfigMap, complete (the
// operator creates or updates each whose data differs), the PEM bundle for
// caBundle fields, and the time of the next renewal so the operator requeues
// then.
type Plan struct {
	Secrets     []*corev1.Secret
	CABundle    *corev1.ConfigMap
	CABundlePEM []byte
	NextRenewal time.Time
}

// Desired computes the PKI of an install in namespace at now. Certificates
// that are still good are kept byte for byte, so feeding a Plan's objects
// back as Observed yields the same Plan data. The CA is replaced once 80 %
// of its lifetime passed (or when it is missing or invalid); a leaf likewise,
// and also when it is not signed by the current CA or no longer says what it
// must (names, usage). The bundle lists the current CA first, then every
// earlier CA from the observed bundle or CA Secret that has not expired.
func Desired(now time.Time, namespace string, v Validity, observed Observed) (Plan, error) {
	if err := v.Validate(); err != nil {
		return Plan{}, fmt.Errorf("validity (ca %s, cert %s): %w", v.CA, v.Cert, err)
	}
	if namespace == "" {
		return Plan{}, errors.New("namespace is required")
	}
	ca, err := desiredCA(now, v.CA, observed.CA)
	if err != nil {
		return Plan{}, err
	}
	next := renewAt(ca.cert)
	plan := Plan{Secrets: []*corev1.Secret{tlsSecret(namespace, CASecretName, ca)}}
	leafObserved := map[string]*corev1.Secret{
		VirtAPISecretName:       observed.VirtAPI,
		HandlerServerSecretName: observed.HandlerServer,
		HandlerClientSecretName: observed.HandlerClient,
	}
	for _, spec := range leafSpecs(namespace) {
		leaf, err := desiredLeaf(now, v.Cert, spec, ca, leafObserved[spec.secret])
		if err != nil {
			return Plan{}, err
		}
		next = earliest(next, renewAt(leaf.cert))
		plan.Secrets = append(plan.Secrets, tlsSecret(namespace, spec.secret, leaf))
	}
	bundle, expiries := caBundle(now, ca, observed)
	for _, e := range expiries {
		next = earliest(next, e)
	}
	plan.CABundlePEM = bundle
	plan.CABundle = &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: CABundleConfigMapName, Namespace: namespace},
		Data:       map[string]string{CABundleKey: string(bundle)},
	}
	plan.NextRenewal = next
	return plan, nil
}

// desiredCA keeps the observed CA while it is fresh and issues a new one otherwise.
func desiredCA(now time.Time, validity time.Duration, observed *corev1.Secret) (*keyPair, error) {
	if kp, err := parseSecret(observed); err == nil && kp.cert.IsCA && fresh(now, kp.cert) {
		return kp, nil
	}
	kp, err := issueCA(now, validity)
	if err != nil {
		return nil, fmt.Errorf("issue ca: %w", err)
	}
	return kp, nil
}

// desiredLeaf keeps the observed leaf while it is fresh, signed by ca and
// matching spec, and issues a new one otherwise.
func desiredLeaf(now time.Time, validity time.Duration, spec leafSpec, ca *keyPair, observed *corev1.Secret) (*keyPair, error) {
	if kp, err := parseSecret(observed); err == nil && fresh(now, kp.cert) &&
		kp.cert.CheckSignatureFrom(ca.cert) == nil && matches(kp.cert, spec) {
		return kp, nil
	}
	kp, err := issueLeaf(now, validity, spec, ca)
	if err != nil {
		return nil, fmt.Errorf("issue %s: %w", spec.secret, err)
	}
	return kp, nil
}

// matches says whether c carries spec's subject, names and usage.
func matches(c *x509.Certificate, spec leafSpec) bool {
	return !c.IsCA && c.Subject.CommonName == spec.commonName &&
		slices.Equal(c.DNSNames, spec.dnsNames) && slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{spec.usage})
}

// caBundle is the current CA followed by every other unexpired CA found in the
// observed bundle or CA Secret (newest first), and the expiry times of those
// earlier CAs, at which the bundle shrinks.
func caBundle(now time.Time, current *keyPair, observed Observed) ([]byte, []time.Time) {
	var candidates []*x509.Certificate
	if observed.CABundle != nil {
		candidates = parseCerts([]byte(observed.CABundle.Data[CABundleKey]))
	}
	if observed.CA != nil {
		candidates = append(candidates, parseCerts(observed.CA.Data[corev1.TLSCertKey])...)
	}
	var previous []*x509.Certificate
	for _, c := range candidates {
		if !c.IsCA || !now.Before(c.NotAfter) || c.Equal(current.cert) ||
			slices.ContainsFunc(previous, c.Equal) {
			continue
		}
		previous = append(previous, c)
	}
	slices.SortStableFunc(previous, func(a, b *x509.Certificate) int { return b.NotAfter.Compare(a.NotAfter) })
	out := bytes.NewBuffer(encodeCert(current.cert))
	expiries := make([]time.Time, 0, len(previous))
	for _, c := range previous {
		out.Write(encodeCert(c))
		expiries = append(expiries, c.NotAfter)
	}
	return out.Bytes(), expiries
}

func tlsSecret(namespace, name string, kp *keyPair) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey:       kp.certPEM,
			corev1.TLSPrivateKeyKey: kp.keyPEM,
		},
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
