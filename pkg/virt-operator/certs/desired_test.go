package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

const ns = "kubevirt"

var (
	t0  = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	val = Validity{CA: DefaultCAValidity, Cert: DefaultCertValidity}
)

func mustDesired(t *testing.T, now time.Time, o Observed) Plan {
	t.Helper()
	p, err := Desired(now, ns, val, o)
	if err != nil {
		t.Fatalf("Desired at %s: %v", now, err)
	}
	return p
}

// observe turns a Plan into what the cluster would hold after applying it.
func observe(p Plan) Observed {
	o := Observed{CABundle: p.CABundle.DeepCopy()}
	for _, s := range p.Secrets {
		c := s.DeepCopy()
		switch s.Name {
		case CASecretName:
			o.CA = c
		case VirtAPISecretName:
			o.VirtAPI = c
		case HandlerServerSecretName:
			o.HandlerServer = c
		case HandlerClientSecretName:
			o.HandlerClient = c
		case UploadProxySecretName:
			o.UploadProxy = c
		}
	}
	return o
}

// fixture is an observed state at a point in time.
type fixture struct {
	now time.Time
	obs Observed
}

// installedAt is a fresh install at t0 observed at now.
func installedAt(t *testing.T, now time.Time) fixture {
	return fixture{now: now, obs: observe(mustDesired(t, t0, Observed{}))}
}

// leafAt81 has only the handler server certificate past 80 %: the other two
// leaves were reissued ten hours after install.
func leafAt81(t *testing.T) fixture {
	o := observe(mustDesired(t, t0, Observed{}))
	o.VirtAPI, o.HandlerClient, o.UploadProxy = nil, nil, nil
	o = observe(mustDesired(t, t0.Add(10*time.Hour), o))
	return fixture{now: t0.Add(val.Cert * 81 / 100), obs: o}
}

// caAt81 has the CA past 80 % and all leaves recently issued by it.
func caAt81(t *testing.T) fixture {
	o := observe(mustDesired(t, t0, Observed{}))
	o.VirtAPI, o.HandlerServer, o.HandlerClient, o.UploadProxy = nil, nil, nil, nil
	o = observe(mustDesired(t, t0.Add(val.CA*78/100), o))
	return fixture{now: t0.Add(val.CA * 81 / 100), obs: o}
}

// oldCAExpired is the state after a CA rotation, observed once the old CA expired.
func oldCAExpired(t *testing.T) fixture {
	f := caAt81(t)
	o := observe(mustDesired(t, f.now, f.obs))
	return fixture{now: t0.Add(val.CA + time.Second), obs: o}
}

func corrupted(t *testing.T) fixture {
	f := installedAt(t, t0.Add(time.Hour))
	f.obs.HandlerClient.Data[corev1.TLSCertKey] = []byte("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
	return f
}

func keyMismatch(t *testing.T) fixture {
	f := installedAt(t, t0.Add(time.Hour))
	f.obs.VirtAPI.Data[corev1.TLSPrivateKeyKey] = f.obs.HandlerServer.Data[corev1.TLSPrivateKeyKey]
	return f
}

// foreignCA replaces the CA (and bundle) with another fresh one: every leaf
// was signed by a CA that is no longer current.
func foreignCA(t *testing.T) fixture {
	f := installedAt(t, t0.Add(time.Hour))
	other := observe(mustDesired(t, t0, Observed{}))
	f.obs.CA, f.obs.CABundle = other.CA, other.CABundle
	return f
}

func TestDesired(t *testing.T) {
	all := []string{CASecretName, VirtAPISecretName, HandlerServerSecretName, HandlerClientSecretName, UploadProxySecretName}
	leaves := all[1:]
	cases := []struct {
		name        string
		fixture     func(*testing.T) fixture
		wantChanged []string
		wantBundle  int
	}{
		{"fresh install", func(*testing.T) fixture { return fixture{now: t0} }, all, 1},
		{"nothing due", func(t *testing.T) fixture { return installedAt(t, t0.Add(19*time.Hour)) }, nil, 1},
		{"leaf at 81%", leafAt81, []string{HandlerServerSecretName}, 1},
		{"ca past 70%: next ca staged, leaves kept", caAt81, nil, 2},
		{"ca expired while the next was staged: next promoted", oldCAExpired, all, 1},
		{"corrupted secret", corrupted, []string{HandlerClientSecretName}, 1},
		{"key does not match certificate", keyMismatch, []string{VirtAPISecretName}, 1},
		{"leaves of another ca", foreignCA, leaves, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fixture(t)
			plan := mustDesired(t, f.now, f.obs)
			if got := changed(f.obs, plan); strings.Join(got, ",") != strings.Join(tc.wantChanged, ",") {
				t.Errorf("changed secrets = %v, want %v", got, tc.wantChanged)
			}
			if n := len(parseCerts(plan.CABundlePEM)); n != tc.wantBundle {
				t.Errorf("bundle holds %d certificates, want %d", n, tc.wantBundle)
			}
			checkPlan(t, f.now, plan)
			again := mustDesired(t, f.now, observe(plan))
			if got := changed(observe(plan), again); len(got) != 0 || !bytes.Equal(again.CABundlePEM, plan.CABundlePEM) {
				t.Errorf("Desired is not idempotent: second pass changed %v", got)
			}
		})
	}
}

// changed lists the Secrets whose data differ between observed and plan.
func changed(o Observed, p Plan) []string {
	before := map[string]*corev1.Secret{CASecretName: o.CA, VirtAPISecretName: o.VirtAPI,
		HandlerServerSecretName: o.HandlerServer, HandlerClientSecretName: o.HandlerClient, UploadProxySecretName: o.UploadProxy}
	var out []string
	for _, s := range p.Secrets {
		b := before[s.Name]
		if b == nil || !bytes.Equal(b.Data[corev1.TLSCertKey], s.Data[corev1.TLSCertKey]) ||
			!bytes.Equal(b.Data[corev1.TLSPrivateKeyKey], s.Data[corev1.TLSPrivateKeyKey]) {
			out = append(out, s.Name)
		}
	}
	return out
}

// checkPlan verifies every leaf chains to the bundle for its purpose and name,
// that the bundle starts with the CA Secret's certificate, and the requeue time.
func checkPlan(t *testing.T, now time.Time, p Plan) {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(p.CABundlePEM) || p.CABundle.Data[CABundleKey] != string(p.CABundlePEM) {
		t.Fatal("bundle ConfigMap does not hold the bundle PEM")
	}
	byName := map[string]*corev1.Secret{}
	for _, s := range p.Secrets {
		if s.Type != corev1.SecretTypeTLS || s.Namespace != ns {
			t.Errorf("secret %s: type %q namespace %q", s.Name, s.Type, s.Namespace)
		}
		byName[s.Name] = s
	}
	ca := mustParse(t, byName[CASecretName])
	if first := parseCerts(p.CABundlePEM)[0]; !first.Equal(ca.cert) {
		t.Error("bundle does not start with the current CA")
	}
	checks := []struct {
		secret, dnsName string
		usage           x509.ExtKeyUsage
	}{
		{VirtAPISecretName, "virt-api.kubevirt.svc", x509.ExtKeyUsageServerAuth},
		{VirtAPISecretName, "virt-api.kubevirt.svc.cluster.local", x509.ExtKeyUsageServerAuth},
		{VirtAPISecretName, "virt-api", x509.ExtKeyUsageServerAuth},
		{HandlerServerSecretName, "virt-handler.kubevirt.svc", x509.ExtKeyUsageServerAuth},
		{HandlerClientSecretName, "", x509.ExtKeyUsageClientAuth},
		{UploadProxySecretName, "", x509.ExtKeyUsageClientAuth},
	}
	next := stageAt(ca.cert) // when the rotation starts, or a lead time on once it did
	if len(byName[CASecretName].Data[NextCACertKey]) > 0 {
		next = now.Add(leadTime(val.CA))
	}
	for _, c := range checks {
		leaf := mustParse(t, byName[c.secret])
		opts := x509.VerifyOptions{Roots: roots, DNSName: c.dnsName, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{c.usage}}
		if _, err := leaf.cert.Verify(opts); err != nil {
			t.Errorf("%s does not verify for %q: %v", c.secret, c.dnsName, err)
		}
		wrong := x509.ExtKeyUsageClientAuth + x509.ExtKeyUsageServerAuth - c.usage
		opts.KeyUsages, opts.DNSName = []x509.ExtKeyUsage{wrong}, ""
		if _, err := leaf.cert.Verify(opts); err == nil {
			t.Errorf("%s verifies for usage %v it must not have", c.secret, wrong)
		}
		next = earliest(next, renewAt(leaf.cert))
	}
	if client := mustParse(t, byName[HandlerClientSecretName]); client.cert.Subject.CommonName != HandlerClientCommonName {
		t.Errorf("client certificate CN = %q", client.cert.Subject.CommonName)
	}
	for _, c := range parseCerts(p.CABundlePEM)[1:] {
		next = earliest(next, c.NotAfter)
	}
	if next.Before(now) {
		next = now // a rotation step is due at once
	}
	if p.NextRenewal.After(next) || p.NextRenewal.Before(now) {
		t.Errorf("NextRenewal = %s, want between now %s and %s", p.NextRenewal, now, next)
	}
}

func mustParse(t *testing.T, s *corev1.Secret) *keyPair {
	t.Helper()
	kp, err := parseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func TestDesiredRejectsBadInput(t *testing.T) {
	for _, v := range []Validity{{}, {CA: time.Hour}, {Cert: time.Hour}, {CA: -time.Hour, Cert: time.Hour}} {
		if _, err := Desired(t0, ns, v, Observed{}); err == nil {
			t.Errorf("validity %+v accepted", v)
		}
	}
	if _, err := Desired(t0, "", val, Observed{}); err == nil {
		t.Error("empty namespace accepted")
	}
}

// TestLeafNeverOutlivesCA: with a CA shorter than the leaf validity (as tests
// configure), leaves end with the CA.
func TestLeafNeverOutlivesCA(t *testing.T) {
	p, err := Desired(t0, ns, Validity{CA: time.Minute, Cert: time.Hour}, Observed{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Secrets {
		block, _ := pem.Decode(s.Data[corev1.TLSCertKey])
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if c.NotAfter.After(t0.Add(time.Minute)) {
			t.Errorf("%s valid until %s, past the CA", s.Name, c.NotAfter)
		}
	}
}
