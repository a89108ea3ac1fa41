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
	CA, VirtAPI, HandlerServer, HandlerClient, UploadProxy *corev1.Secret
	CABundle                                               *corev1.ConfigMap
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
// back as Observed yields the same Plan data. The CA rotates in two steps
// (see decideCA): once 70 % of its lifetime passed a next CA is staged in the
// CA Secret and published in the bundle; the leaves are re-signed by it only
// after the bundle was observed holding it for a lead time. A leaf is
// replaced once 80 % of its lifetime passed, and also when it is not signed
// by the current CA or no longer says what it must (names, usage). The bundle
// lists the current CA first, then the staged one, then earlier CAs still
// unexpired until every leaf moved to the current CA a lead time ago.
func Desired(now time.Time, namespace string, v Validity, observed Observed) (Plan, error) {
	if err := v.Validate(); err != nil {
		return Plan{}, fmt.Errorf("validity (ca %s, cert %s): %w", v.CA, v.Cert, err)
	}
	if namespace == "" {
		return Plan{}, errors.New("namespace is required")
	}
	lead := leadTime(v.CA)
	ca, next, publishedAt, next0, err := desiredCA(now, v.CA, lead, observed)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Secrets: []*corev1.Secret{caSecret(namespace, ca, next, publishedAt)}}
	leafObserved := map[string]*corev1.Secret{
		VirtAPISecretName:       observed.VirtAPI,
		HandlerServerSecretName: observed.HandlerServer,
		HandlerClientSecretName: observed.HandlerClient,
		UploadProxySecretName:   observed.UploadProxy,
	}
	wake := []time.Time{next0}
	var leaves []*x509.Certificate
	for _, spec := range leafSpecs(namespace) {
		leaf, err := desiredLeaf(now, v.Cert, spec, ca, leafObserved[spec.secret])
		if err != nil {
			return Plan{}, err
		}
		leaves = append(leaves, leaf.cert)
		wake = append(wake, renewAt(leaf.cert))
		plan.Secrets = append(plan.Secrets, tlsSecret(namespace, spec.secret, leaf))
	}
	retire, retireAt := retirePrevious(now, lead, ca.cert, leaves)
	bundle, expiries := caBundle(now, ca, next, !retire, observed)
	plan.CABundlePEM = bundle
	plan.CABundle = &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: CABundleConfigMapName, Namespace: namespace},
		Data:       map[string]string{CABundleKey: string(bundle)},
	}
	if len(expiries) > 0 {
		wake = append(wake, retireAt)
	}
	plan.NextRenewal = earliestOf(now, append(wake, expiries...))
	return plan, nil
}

// desiredCA applies decideCA: it returns the CA that signs the leaves, the
// staged next CA (or nil) with the time the bundle was seen holding it, and
// when the rotation wants to look again (zero: not before the other times).
func desiredCA(now time.Time, validity, lead time.Duration, observed Observed) (cur, next *keyPair, publishedAt, wake time.Time, err error) {
	var bundle []*x509.Certificate
	if observed.CABundle != nil {
		bundle = parseCerts([]byte(observed.CABundle.Data[CABundleKey]))
	}
	cur, next, o := observeCA(observed.CA, bundle)
	action, wake := decideCA(now, lead, o)
	switch action {
	case caBootstrap:
		if cur, err = issueCA(now, validity); err != nil {
			return nil, nil, time.Time{}, time.Time{}, fmt.Errorf("issue ca: %w", err)
		}
		return cur, nil, time.Time{}, wake, nil
	case caKeep:
		return cur, nil, time.Time{}, wake, nil
	case caStage:
		if next, err = issueCA(now, validity); err != nil {
			return nil, nil, time.Time{}, time.Time{}, fmt.Errorf("issue next ca: %w", err)
		}
		return cur, next, time.Time{}, wake, nil
	case caWaitPublished:
		return cur, next, time.Time{}, wake, nil
	case caMarkPublished:
		return cur, next, now, wake, nil
	case caWaitLead:
		return cur, next, o.publishedAt, wake, nil
	}
	return next, nil, time.Time{}, wake, nil // caPromote
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

// caBundle is the current CA, the staged next CA, and (with keepPrevious)
// every other unexpired CA found in the observed bundle or CA Secret (newest
// first), with the expiry times of those earlier CAs, at which the bundle
// shrinks.
func caBundle(now time.Time, current, next *keyPair, keepPrevious bool, observed Observed) ([]byte, []time.Time) {
	out := bytes.NewBuffer(encodeCert(current.cert))
	if next != nil {
		out.Write(encodeCert(next.cert))
	}
	if !keepPrevious {
		return out.Bytes(), nil
	}
	var candidates []*x509.Certificate
	if observed.CABundle != nil {
		candidates = parseCerts([]byte(observed.CABundle.Data[CABundleKey]))
	}
	if observed.CA != nil {
		candidates = append(candidates, parseCerts(observed.CA.Data[corev1.TLSCertKey])...)
	}
	var previous []*x509.Certificate
	for _, c := range candidates {
		if !c.IsCA || !now.Before(c.NotAfter) || c.Equal(current.cert) || (next != nil && c.Equal(next.cert)) ||
			slices.ContainsFunc(previous, c.Equal) {
			continue
		}
		previous = append(previous, c)
	}
	slices.SortStableFunc(previous, func(a, b *x509.Certificate) int { return b.NotAfter.Compare(a.NotAfter) })
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

// earliestOf is the earliest non-zero time in ts, never before now.
func earliestOf(now time.Time, ts []time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if !t.IsZero() && (out.IsZero() || t.Before(out)) {
			out = t
		}
	}
	if out.Before(now) {
		return now
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
