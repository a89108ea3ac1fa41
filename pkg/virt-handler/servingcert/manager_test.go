package servingcert

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	clocktesting "k8s.io/utils/clock/testing"

	"kvirt.io/kvirt/pkg/nodecert"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// signer stands in for virt-operator: it answers each created CSR at once,
// signing it for lifetime from the fake clock's now, or denying it while
// deny is positive.
type signer struct {
	clock    *clocktesting.FakeClock
	lifetime time.Duration
	deny     atomic.Int32
	created  atomic.Int32
	mu       sync.Mutex
	seen     []*certificatesv1.CertificateSigningRequest
	ca       *x509.Certificate
	caKey    *ecdsa.PrivateKey
	// usages, when set, replaces the server and client usages it signs.
	usages []x509.ExtKeyUsage
}

// roots is a pool of the signer's CA.
func (s *signer) roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.ca)
	return p
}

func (s *signer) react(action clienttesting.Action) (bool, runtime.Object, error) {
	csr := action.(clienttesting.CreateAction).GetObject().(*certificatesv1.CertificateSigningRequest)
	n := s.created.Add(1)
	csr.Name = fmt.Sprintf("%s%d", csr.GenerateName, n)
	s.mu.Lock()
	s.seen = append(s.seen, csr.DeepCopy())
	s.mu.Unlock()
	if s.deny.Add(-1) >= 0 {
		csr.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{
			Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue, Reason: "WrongNode"}}
		return false, csr, nil
	}
	block, _ := pem.Decode(csr.Spec.Request)
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return true, nil, err
	}
	now := s.clock.Now()
	usages := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	if s.usages != nil {
		usages = s.usages
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(n)), Subject: req.Subject, DNSNames: req.DNSNames,
		NotBefore: now, NotAfter: now.Add(s.lifetime), ExtKeyUsage: usages}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.ca, req.PublicKey, s.caKey)
	if err != nil {
		return true, nil, err
	}
	csr.Status.Certificate = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return false, csr, nil
}

func newSigner(lifetime time.Duration) (*signer, *fake.Clientset) {
	s := &signer{clock: clocktesting.NewFakeClock(t0), lifetime: lifetime}
	s.caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(1000 * time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &s.caKey.PublicKey, s.caKey)
	s.ca, _ = x509.ParseCertificate(der)
	kube := fake.NewClientset()
	kube.PrependReactor("create", "certificatesigningrequests", s.react)
	return s, kube
}

// start runs a Manager until the returned stop is called (or the test ends).
func start(t *testing.T, s *signer, kube *fake.Clientset, dir string) (*Manager, func()) {
	t.Helper()
	m, err := New(Config{Client: kube, NodeName: "node-a", Namespace: "kubevirt", Dir: dir, Clock: s.clock,
		RetryBase: time.Minute, RetryLimit: time.Hour, Roots: s.roots})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return m, stop
}

func awaitReady(t *testing.T, m *Manager) {
	t.Helper()
	select {
	case <-m.Ready():
	case <-time.After(30 * time.Second):
		t.Fatal("no certificate within 30s")
	}
}

// eventually polls cond for up to 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func serial(t *testing.T, m *Manager) int64 {
	t.Helper()
	c, err := m.GetCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Leaf.SerialNumber.Int64()
}

func TestIssuesStoresAndReusesAfterRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "node-api")
	s, kube := newSigner(10 * time.Hour)
	m, stop := start(t, s, kube, dir)
	awaitReady(t, m)
	stop()
	want := nodecert.ServerName("node-a", "kubevirt")
	c, _ := m.GetCertificate(nil)
	if c.Leaf.Subject.CommonName != want || c.Leaf.DNSNames[0] != want {
		t.Fatalf("certificate names %s %q, want %s", c.Leaf.Subject, c.Leaf.DNSNames, want)
	}
	csr := s.seen[0]
	if csr.Spec.SignerName != nodecert.SignerName || len(csr.Spec.Usages) != len(nodecert.Usages) {
		t.Fatalf("request for signer %q usages %q", csr.Spec.SignerName, csr.Spec.Usages)
	}
	st, err := os.Stat(filepath.Join(dir, fileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stored pair: %v, mode %v", err, st.Mode())
	}
	// A restart two hours later serves the stored pair without asking.
	s.clock.Step(2 * time.Hour)
	s2, kube2 := newSigner(10 * time.Hour)
	s2.clock, s2.ca, s2.caKey = s.clock, s.ca, s.caKey
	m2, _ := start(t, s2, kube2, dir)
	awaitReady(t, m2)
	if serial(t, m2) != serial(t, m) || s2.created.Load() != 0 {
		t.Fatalf("restart did not reuse the stored certificate (%d requests)", s2.created.Load())
	}
}

// TestStoredPairOfAnotherCAIsNotReused: kvirt reinstalled with a new CA;
// the restarted handler asks for a new certificate instead of serving one
// virt-api no longer trusts.
func TestStoredPairOfAnotherCAIsNotReused(t *testing.T) {
	dir := t.TempDir()
	s, kube := newSigner(10 * time.Hour)
	m, stop := start(t, s, kube, dir)
	awaitReady(t, m)
	stop()
	s2, kube2 := newSigner(10 * time.Hour) // a new CA
	s2.clock = s.clock
	m2, _ := start(t, s2, kube2, dir)
	awaitReady(t, m2)
	c, _ := m2.GetCertificate(nil)
	if s2.created.Load() != 1 || c.Leaf.CheckSignatureFrom(s2.ca) != nil {
		t.Fatalf("restart with a new CA served the old certificate (%d requests)", s2.created.Load())
	}
}

// TestStoredServerOnlyPairIsRenewed: a pair from before the certificate also
// authenticated the handler as a client (live migration) is replaced.
func TestStoredServerOnlyPairIsRenewed(t *testing.T) {
	dir := t.TempDir()
	s, kube := newSigner(10 * time.Hour)
	s.usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	m, stop := start(t, s, kube, dir)
	awaitReady(t, m)
	stop()
	s.usages = nil
	m2, _ := start(t, s, kube, dir)
	awaitReady(t, m2)
	c, _ := m2.GetCertificate(nil)
	if s.created.Load() != 2 || !slices.Contains(c.Leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		t.Fatalf("a stored server-only pair was served after a restart (%d requests)", s.created.Load())
	}
}

func TestRenewsAfterEightyPercent(t *testing.T) {
	s, kube := newSigner(10 * time.Hour)
	m, _ := start(t, s, kube, t.TempDir())
	awaitReady(t, m)
	first := serial(t, m)
	eventually(t, "the renewal timer", s.clock.HasWaiters)
	s.clock.Step(8*time.Hour - time.Second)
	if s.created.Load() != 1 {
		t.Fatal("renewed before 80 % of the lifetime")
	}
	s.clock.Step(2 * time.Second)
	eventually(t, "the renewed certificate", func() bool { return serial(t, m) != first })
	if s.created.Load() != 2 {
		t.Fatalf("%d requests, want 2", s.created.Load())
	}
}

func TestExpiredStoredPairIsNotServed(t *testing.T) {
	dir := t.TempDir()
	s, kube := newSigner(time.Hour)
	m, stop := start(t, s, kube, dir)
	awaitReady(t, m)
	stop()
	// Stopped for two hours: the stored pair expired; the restarted handler
	// serves nothing until the (denied, then retried) request is signed.
	s.clock.Step(2 * time.Hour)
	s2, kube2 := newSigner(time.Hour)
	s2.clock = s.clock
	s2.deny.Store(1)
	m2, _ := start(t, s2, kube2, dir)
	eventually(t, "the denied request", func() bool { return s2.created.Load() == 1 })
	if _, err := m2.GetCertificate(nil); err == nil {
		t.Fatal("an expired stored certificate is served")
	}
	eventually(t, "the retry timer", s.clock.HasWaiters)
	s.clock.Step(time.Minute)
	awaitReady(t, m2)
	if s2.created.Load() != 2 {
		t.Fatalf("%d requests, want 2", s2.created.Load())
	}
}

func TestCreateFailureIsRetried(t *testing.T) {
	s, kube := newSigner(time.Hour)
	var fail atomic.Bool
	fail.Store(true)
	kube.PrependReactor("create", "certificatesigningrequests", func(clienttesting.Action) (bool, runtime.Object, error) {
		if fail.Load() {
			return true, nil, errors.New("apiserver down")
		}
		return false, nil, nil
	})
	m, _ := start(t, s, kube, t.TempDir())
	eventually(t, "the retry timer", s.clock.HasWaiters)
	fail.Store(false)
	s.clock.Step(time.Minute)
	awaitReady(t, m)
}

func TestRetryDelay(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 4: 80 * time.Second, 10: 5 * time.Minute} {
		if got := retryDelay(n, 10*time.Second, 5*time.Minute); got != want {
			t.Errorf("retryDelay(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestUsable(t *testing.T) {
	name := nodecert.ServerName("node-a", "kubevirt")
	c := &x509.Certificate{Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}, NotBefore: t0, NotAfter: t0.Add(time.Hour)}
	other := &x509.Certificate{Subject: pkix.Name{CommonName: name}, DNSNames: []string{"virt-handler.kubevirt.svc"},
		NotBefore: t0, NotAfter: t0.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		c    *x509.Certificate
		at   time.Time
		want bool
	}{
		{"valid", c, t0.Add(time.Minute), true},
		{"due but valid", c, t0.Add(59 * time.Minute), true},
		{"expired", c, t0.Add(time.Hour), false},
		{"not yet valid", c, t0.Add(-time.Second), false},
		{"other name", other, t0.Add(time.Minute), false},
		{"missing", nil, t0, false},
	} {
		if got := Usable(tc.c, name, tc.at); got != tc.want {
			t.Errorf("%s: Usable = %v", tc.name, got)
		}
	}
	if got := RenewAt(c); !got.Equal(t0.Add(48 * time.Minute)) {
		t.Errorf("RenewAt = %s", got)
	}
}
