package certs

import (
	"crypto/x509"
	"testing"
	"time"
)

// caCert is a bare CA certificate valid from nb for life.
func caCert(nb time.Time, life time.Duration) *x509.Certificate {
	return &x509.Certificate{NotBefore: nb, NotAfter: nb.Add(life), IsCA: true}
}

func TestDecideCA(t *testing.T) {
	const life = 100 * time.Hour
	lead := leadTime(life)
	cur := caCert(t0, life)
	nxt := caCert(t0.Add(75*time.Hour), life)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	published := at(76)
	for _, tc := range []struct {
		name     string
		now      time.Time
		o        caObserved
		want     caAction
		wantWake time.Time
	}{
		{"no ca", at(1), caObserved{}, caBootstrap, time.Time{}},
		{"ca expired, nothing staged", at(101), caObserved{current: cur}, caBootstrap, time.Time{}},
		{"ca not yet valid", t0.Add(-time.Hour), caObserved{current: cur}, caBootstrap, time.Time{}},
		{"ca fresh", at(50), caObserved{current: cur}, caKeep, at(70)},
		{"ca at 70%", at(70), caObserved{current: cur}, caStage, at(70)},
		{"staged, bundle lacks it", at(75), caObserved{current: cur, next: nxt}, caWaitPublished, at(75)},
		{"staged, bundle holds it", at(76), caObserved{current: cur, next: nxt, bundleHasNext: true}, caMarkPublished, at(76).Add(lead)},
		{"published, lead running", at(76).Add(lead - time.Second),
			caObserved{current: cur, next: nxt, bundleHasNext: true, publishedAt: published}, caWaitLead, published.Add(lead)},
		{"published, lead over", published.Add(lead),
			caObserved{current: cur, next: nxt, bundleHasNext: true, publishedAt: published}, caPromote, time.Time{}},
		{"published time recorded but bundle lost it", published.Add(lead),
			caObserved{current: cur, next: nxt, publishedAt: published}, caWaitPublished, published.Add(lead)},
		{"publication time in the future (clock skew)", at(76),
			caObserved{current: cur, next: nxt, bundleHasNext: true, publishedAt: at(90)}, caMarkPublished, at(76).Add(lead)},
		{"ca expired, next published", at(101),
			caObserved{current: cur, next: nxt, bundleHasNext: true, publishedAt: published}, caPromote, time.Time{}},
		{"ca expired, next staged but unpublished", at(101), caObserved{current: cur, next: nxt}, caBootstrap, time.Time{}},
		{"staged next expired", at(99), caObserved{current: cur, next: caCert(t0, 10*time.Hour), bundleHasNext: true}, caStage, at(99)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, wake := decideCA(tc.now, lead, tc.o)
			if got != tc.want || !wake.Equal(tc.wantWake) {
				t.Errorf("decideCA = %s, wake %s; want %s, wake %s", got, wake, tc.want, tc.wantWake)
			}
		})
	}
}

func TestRetirePrevious(t *testing.T) {
	p := mustDesired(t, t0, Observed{})
	ca := mustParse(t, p.Secrets[0]).cert
	var leaves []*x509.Certificate
	for _, s := range p.Secrets[1:] {
		leaves = append(leaves, mustParse(t, s).cert)
	}
	lead := leadTime(val.CA)
	other := mustParse(t, mustDesired(t, t0, Observed{}).Secrets[1]).cert
	for _, tc := range []struct {
		name     string
		now      time.Time
		leaves   []*x509.Certificate
		want     bool
		wantWake time.Time
	}{
		{"leaves just moved", t0, leaves, false, t0.Add(lead)},
		{"lead time over", t0.Add(lead), leaves, true, time.Time{}},
		{"a leaf of another ca", t0.Add(time.Hour), append(leaves[:2:2], other), false, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, wake := retirePrevious(tc.now, lead, ca, tc.leaves)
			if got != tc.want || !wake.Equal(tc.wantWake) {
				t.Errorf("retirePrevious = %v, %s; want %v, %s", got, wake, tc.want, tc.wantWake)
			}
		})
	}
}

// TestRotationNeverSignsAheadOfTheBundle walks a whole CA rotation through
// Desired, applying each Plan as the cluster would and reconciling at every
// wake-up it asks for: no leaf is ever signed by a CA the bundle observed in
// the cluster before does not hold, the steps come in order, and the old CA
// leaves the bundle at the end.
func TestRotationNeverSignsAheadOfTheBundle(t *testing.T) {
	v := Validity{CA: 10 * time.Hour, Cert: 10 * time.Hour}
	plan, err := Desired(t0, ns, v, Observed{})
	if err != nil {
		t.Fatal(err)
	}
	obs := observe(plan)
	first := mustParse(t, plan.Secrets[0]).cert
	now := t0.Add(7 * time.Hour) // the CA is due for staging
	var steps []string
	for i := 0; i < 20 && now.Before(t0.Add(10*time.Hour)); i++ {
		before := x509.NewCertPool()
		before.AppendCertsFromPEM([]byte(obs.CABundle.Data[CABundleKey]))
		plan, err = Desired(now, ns, v, obs)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range plan.Secrets[1:] {
			leaf := mustParse(t, s).cert
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: before, CurrentTime: now,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				t.Fatalf("at %s %s is signed by a CA the observed bundle lacks: %v", now.Sub(t0), s.Name, err)
			}
		}
		steps = append(steps, rotationStep(t, obs, plan, first))
		obs = observe(plan)
		if plan.NextRenewal.After(now) {
			now = plan.NextRenewal
		} else {
			now = now.Add(time.Second) // the operator requeues after at least a second
		}
		if steps[len(steps)-1] == "old ca retired" {
			break
		}
	}
	want := []string{"next staged", "published", "leaves moved", "old ca retired"}
	var got []string
	for _, s := range steps {
		if s != "" && (len(got) == 0 || got[len(got)-1] != s) {
			got = append(got, s)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("steps %v, want %v (every reconcile: %v)", got, want, steps)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("steps %v, want %v", got, want)
		}
	}
}

// rotationStep names what plan did to obs ("" for nothing).
func rotationStep(t *testing.T, obs Observed, plan Plan, first *x509.Certificate) string {
	t.Helper()
	ca := plan.Secrets[0]
	cur := mustParse(t, ca).cert
	bundle := parseCerts(plan.CABundlePEM)
	switch {
	case len(ca.Data[NextCACertKey]) > 0 && len(obs.CA.Data[NextCACertKey]) == 0:
		return "next staged"
	case ca.Annotations[NextCAPublishedAnnotation] != "" && obs.CA.Annotations[NextCAPublishedAnnotation] == "":
		return "published"
	case !cur.Equal(first) && mustParse(t, obs.CA).cert.Equal(first):
		return "leaves moved"
	case !cur.Equal(first) && len(bundle) == 1 && len(parseCerts([]byte(obs.CABundle.Data[CABundleKey]))) > 1:
		return "old ca retired"
	}
	return ""
}
