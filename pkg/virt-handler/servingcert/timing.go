package servingcert

import (
	"crypto/x509"
	"time"
)

// renewNumerator/renewDenominator: a certificate is renewed once this share
// of its lifetime has passed (as the operator's own PKI).
const (
	renewNumerator   = 4
	renewDenominator = 5
)

// RenewAt is when c is due for renewal: after 80 % of its lifetime.
func RenewAt(c *x509.Certificate) time.Time {
	life := c.NotAfter.Sub(c.NotBefore)
	return c.NotBefore.Add(life / renewDenominator * renewNumerator)
}

// Usable says whether c may be served for name at now: it names exactly name
// and is inside its validity (it may be due for renewal already).
func Usable(c *x509.Certificate, name string, now time.Time) bool {
	return c != nil && c.Subject.CommonName == name && len(c.DNSNames) == 1 && c.DNSNames[0] == name &&
		!now.Before(c.NotBefore) && now.Before(c.NotAfter)
}

// retryDelay is the wait after the n-th consecutive failure (n >= 1) to get a
// certificate: doubling from base, at most limit.
func retryDelay(n int, base, limit time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
