package certs

import "testing"

// BenchmarkDesiredFreshInstall issues a CA and three leaves.
func BenchmarkDesiredFreshInstall(b *testing.B) {
	for b.Loop() {
		if _, err := Desired(t0, ns, val, Observed{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDesiredNothingDue parses and checks what exists: the cost of every
// reconcile when no certificate is due.
func BenchmarkDesiredNothingDue(b *testing.B) {
	p, err := Desired(t0, ns, val, Observed{})
	if err != nil {
		b.Fatal(err)
	}
	o := observe(p)
	for b.Loop() {
		if _, err := Desired(t0, ns, val, o); err != nil {
			b.Fatal(err)
		}
	}
}
