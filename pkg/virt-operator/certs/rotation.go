package certs

import (
	"crypto/x509"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// The CA rotates in two steps so that nothing ever meets a certificate its
// peer's bundle cannot verify: the next CA is first published in the bundle
// beside the current one; only once the bundle observed in the cluster holds
// it and a lead time has passed (kubelets refresh mounted ConfigMaps within
// about a minute, webhook and APIService caBundles at once) are the leaves
// re-signed by it; the old CA leaves the bundle once every leaf has moved and
// the lead time has passed again.
const (
	// NextCACertKey and NextCAKeyKey hold the staged next CA in the CA Secret.
	NextCACertKey = "next.crt"
	NextCAKeyKey  = "next.key"
	// NextCAPublishedAnnotation on the CA Secret records when the bundle was
	// first observed holding the next CA (RFC 3339).
	NextCAPublishedAnnotation = "kvirt.io/next-ca-published-at"
	// maxLead bounds the lead time; shorter CA lifetimes (tests) use a 20th
	// of the lifetime.
	maxLead = 5 * time.Minute
	// stageNumerator/stageDenominator: the next CA is staged once this share
	// of the current CA's lifetime has passed, leaving time for both steps.
	stageNumerator   = 7
	stageDenominator = 10
)

// caAction is what one reconcile does with the CA.
type caAction string

const (
	caKeep          caAction = "keep"           // the current CA is good, nothing staged
	caBootstrap     caAction = "bootstrap"      // no usable CA: issue one and sign the leaves at once
	caStage         caAction = "stage"          // current CA due: issue the next one and publish it
	caWaitPublished caAction = "wait-published" // next CA staged, the observed bundle lacks it
	caMarkPublished caAction = "mark-published" // bundle observed holding it: the lead time starts
	caWaitLead      caAction = "wait-lead"      // published, lead time not over yet
	caPromote       caAction = "promote"        // next CA becomes current, leaves re-signed
)

// caObserved is what the CA decision reads: the current and staged CA
// certificates (nil when missing or unusable), when the staged one was seen
// published, and whether the observed bundle holds it.
type caObserved struct {
	current, next *x509.Certificate
	publishedAt   time.Time
	bundleHasNext bool
}

// leadTime is how long a published bundle is given to reach every consumer.
func leadTime(caValidity time.Duration) time.Duration { return min(maxLead, caValidity/20) }

// stageAt is when the next CA is staged for c.
func stageAt(c *x509.Certificate) time.Time {
	return c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) / stageDenominator * stageNumerator)
}

func validAt(now time.Time, c *x509.Certificate) bool {
	return c != nil && !now.Before(c.NotBefore) && now.Before(c.NotAfter)
}

// decideCA is the CA rotation as a pure decision: the action at now and the
// time to look again (zero: nothing pending).
func decideCA(now time.Time, lead time.Duration, o caObserved) (caAction, time.Time) {
	next := o.next
	if !validAt(now, next) {
		next = nil
	}
	published := next != nil && o.bundleHasNext
	switch {
	case !validAt(now, o.current) && published:
		return caPromote, time.Time{} // the current CA is gone: the next one is all there is
	case !validAt(now, o.current):
		return caBootstrap, time.Time{}
	case next == nil && now.Before(stageAt(o.current)):
		return caKeep, stageAt(o.current)
	case next == nil:
		return caStage, now
	case !published:
		return caWaitPublished, now
	case o.publishedAt.IsZero() || o.publishedAt.After(now):
		return caMarkPublished, now.Add(lead)
	case now.Before(o.publishedAt.Add(lead)):
		return caWaitLead, o.publishedAt.Add(lead)
	}
	return caPromote, time.Time{}
}

// retirePrevious says whether CAs other than current may leave the bundle:
// once every leaf is signed by current and the newest was issued a lead time
// ago. Otherwise it returns when to look again (zero: when a leaf moves).
func retirePrevious(now time.Time, lead time.Duration, current *x509.Certificate, leaves []*x509.Certificate) (bool, time.Time) {
	var newest time.Time
	for _, l := range leaves {
		if l.CheckSignatureFrom(current) != nil {
			return false, time.Time{}
		}
		if l.NotBefore.After(newest) {
			newest = l.NotBefore
		}
	}
	if at := newest.Add(lead); now.Before(at) {
		return false, at
	}
	return true, time.Time{}
}

// observeCA reads the current CA, the staged next CA and its publication
// time from the CA Secret, and whether bundle holds the next CA.
func observeCA(secret *corev1.Secret, bundle []*x509.Certificate) (cur, next *keyPair, o caObserved) {
	if kp, err := parseSecret(secret); err == nil && kp.cert.IsCA {
		cur, o.current = kp, kp.cert
	}
	if secret == nil {
		return cur, nil, o
	}
	if kp, err := parsePair(secret.Data[NextCACertKey], secret.Data[NextCAKeyKey]); err == nil && kp.cert.IsCA {
		next, o.next = kp, kp.cert
		for _, c := range bundle {
			o.bundleHasNext = o.bundleHasNext || c.Equal(kp.cert)
		}
	}
	if at, err := time.Parse(time.RFC3339, secret.Annotations[NextCAPublishedAnnotation]); err == nil {
		o.publishedAt = at
	}
	return cur, next, o
}

// parsePair parses a PEM certificate and key into a key pair.
func parsePair(certPEM, keyPEM []byte) (*keyPair, error) {
	return parseSecret(&corev1.Secret{Data: map[string][]byte{
		corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM,
	}})
}

// caSecret is the CA Secret holding current, the staged next CA (or none)
// and, once the bundle was seen holding it, when that was.
func caSecret(namespace string, current, next *keyPair, publishedAt time.Time) *corev1.Secret {
	s := tlsSecret(namespace, CASecretName, current)
	if next != nil {
		s.Data[NextCACertKey], s.Data[NextCAKeyKey] = next.certPEM, next.keyPEM
		if !publishedAt.IsZero() {
			s.Annotations = map[string]string{NextCAPublishedAnnotation: publishedAt.UTC().Format(time.RFC3339Nano)}
		}
	}
	return s
}
