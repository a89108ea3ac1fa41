package servingcert

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"kvirt.io/kvirt/pkg/nodecert"
)

// Default retry bounds after a failed or denied request.
const (
	defaultRetryBase  = 10 * time.Second
	defaultRetryLimit = 5 * time.Minute
)

// Config says whose certificate to get and where to keep it.
type Config struct {
	Client kubernetes.Interface
	// NodeName and Namespace (the install namespace) make the certificate's
	// name, nodecert.ServerName.
	NodeName, Namespace string
	// Dir keeps the key and certificate across restarts (e.g.
	// /var/lib/kvirt/node-api).
	Dir string
	// Clock is the time source (default the real clock).
	Clock clock.WithTicker
	// RetryBase and RetryLimit bound the backoff after a failed request.
	RetryBase, RetryLimit time.Duration
	// Roots, when set, is the CA bundle virt-api trusts: a stored pair that
	// does not chain to it (kvirt was reinstalled with a new CA) is not
	// reused.
	Roots func() *x509.CertPool
}

// Manager holds the current serving pair and keeps it fresh while Run runs.
type Manager struct {
	cfg  Config
	name string

	mu      sync.Mutex
	current *tls.Certificate
	ready   chan struct{}
}

// New checks the configuration.
func New(cfg Config) (*Manager, error) {
	name, err := nodecert.ValidServerName(cfg.NodeName, cfg.Namespace)
	if err != nil {
		return nil, err
	}
	if cfg.Client == nil || cfg.Dir == "" {
		return nil, errors.New("servingcert: client and directory are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = defaultRetryBase
	}
	if cfg.RetryLimit < cfg.RetryBase {
		cfg.RetryLimit = max(cfg.RetryBase, defaultRetryLimit)
	}
	return &Manager{cfg: cfg, name: name, ready: make(chan struct{})}, nil
}

// Name is the DNS name the certificate carries.
func (m *Manager) Name() string { return m.name }

// Ready is closed once a certificate can be served.
func (m *Manager) Ready() <-chan struct{} { return m.ready }

// GetCertificate fits tls.Config.GetCertificate.
func (m *Manager) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.current == nil {
		return nil, errors.New("no node api serving certificate yet")
	}
	return m.current, nil
}

func (m *Manager) set(pair *tls.Certificate) {
	m.mu.Lock()
	defer m.mu.Unlock()
	first := m.current == nil
	m.current = pair
	if first {
		close(m.ready)
	}
}

func (m *Manager) get() *tls.Certificate {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current
}

// Run serves the stored pair when it is still valid, then requests a new one
// whenever the current one is missing or due, until ctx ends. Failures are
// logged and retried with backoff; they never end Run.
func (m *Manager) Run(ctx context.Context) error {
	log := klog.FromContext(ctx).WithValues("name", m.name)
	if pair, err := load(m.cfg.Dir); err != nil {
		log.Info("stored node api certificate unusable; requesting a new one", "err", err.Error())
	} else if pair != nil && Usable(pair.Leaf, m.name, m.cfg.Clock.Now()) {
		if err := m.chains(pair); err != nil {
			log.Info("stored node api certificate is not trusted; requesting a new one", "err", err.Error())
		} else {
			log.Info("reusing stored node api certificate", "notAfter", pair.Leaf.NotAfter)
			m.set(pair)
		}
	}
	failures := 0
	for {
		wait := time.Duration(0)
		if cur := m.get(); cur != nil {
			wait = RenewAt(cur.Leaf).Sub(m.cfg.Clock.Now())
		}
		if failures > 0 {
			wait = max(wait, retryDelay(failures, m.cfg.RetryBase, m.cfg.RetryLimit))
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-m.cfg.Clock.After(wait):
			}
		}
		if cur := m.get(); cur != nil && m.cfg.Clock.Now().Before(RenewAt(cur.Leaf)) {
			continue
		}
		pair, err := m.obtain(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures++
			log.Error(err, "node api serving certificate not obtained; retrying", "failures", failures)
			continue
		}
		failures = 0
		m.set(pair)
		log.Info("node api serving certificate issued", "notAfter", pair.Leaf.NotAfter)
	}
}

// chains checks pair against Roots (when set) at the clock's now.
func (m *Manager) chains(pair *tls.Certificate) error {
	if m.cfg.Roots == nil {
		return nil
	}
	inter := x509.NewCertPool()
	for _, der := range pair.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			inter.AddCert(c)
		}
	}
	// Both usages, each on its own (Verify accepts a chain allowing any one
	// of KeyUsages): a pair from before the client usage is renewed.
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		_, err := pair.Leaf.Verify(x509.VerifyOptions{DNSName: m.name, Roots: m.cfg.Roots(), Intermediates: inter,
			CurrentTime: m.cfg.Clock.Now(), KeyUsages: []x509.ExtKeyUsage{usage}})
		if err != nil {
			return fmt.Errorf("verify against the ca bundle: %w", err)
		}
	}
	return nil
}

// obtain requests, awaits and stores a new pair.
func (m *Manager) obtain(ctx context.Context) (*tls.Certificate, error) {
	certPEM, keyPEM, err := request(ctx, m.cfg.Client, m.cfg.NodeName, m.name)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("issued certificate: %w", err)
	}
	if !Usable(pair.Leaf, m.name, m.cfg.Clock.Now()) {
		return nil, fmt.Errorf("issued certificate names %q %q, valid %s to %s, not %s now",
			pair.Leaf.Subject.CommonName, pair.Leaf.DNSNames, pair.Leaf.NotBefore, pair.Leaf.NotAfter, m.name)
	}
	if err := store(m.cfg.Dir, certPEM, keyPEM); err != nil {
		return nil, err
	}
	return &pair, nil
}
