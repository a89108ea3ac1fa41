package operatorpki

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kvirt.io/kvirt/pkg/virt-api/subresources"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
	"kvirt.io/kvirt/pkg/virt-operator/certs"
	"kvirt.io/kvirt/tests/framework/secretvolume"
)

// volumes are the mounts of the contract: virt-handler's server Secret and CA
// ConfigMap, virt-api's handler-client Secret and CA ConfigMap.
type volumes struct{ handlerServer, handlerCA, apiClient, apiCA string }

func newVolumes(t *testing.T) volumes {
	d := t.TempDir()
	return volumes{filepath.Join(d, "handler-server"), filepath.Join(d, "handler-ca"),
		filepath.Join(d, "api-client"), filepath.Join(d, "api-ca")}
}

func secretByName(t *testing.T, p certs.Plan, name string) *corev1.Secret {
	t.Helper()
	for _, s := range p.Secrets {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("plan has no secret %s", name)
	return nil
}

func tlsFiles(s *corev1.Secret) map[string][]byte {
	return map[string][]byte{"tls.crt": s.Data["tls.crt"], "tls.key": s.Data["tls.key"]}
}

func bundleFiles(p certs.Plan) map[string][]byte {
	return map[string][]byte{certs.CABundleKey: []byte(p.CABundle.Data[certs.CABundleKey])}
}

func observed(p certs.Plan) certs.Observed {
	o := certs.Observed{CABundle: p.CABundle}
	for _, s := range p.Secrets {
		switch s.Name {
		case certs.CASecretName:
			o.CA = s
		case certs.VirtAPISecretName:
			o.VirtAPI = s
		case certs.HandlerServerSecretName:
			o.HandlerServer = s
		case certs.HandlerClientSecretName:
			o.HandlerClient = s
		case certs.UploadProxySecretName:
			o.UploadProxy = s
		}
	}
	return o
}

// TestCertificateRotationKeepsNodeAPIWorking issues the install's PKI with
// certs.Desired, mounts it like the kubelet would, and rotates the CA while
// virt-api keeps calling virt-handler's node API, step by step as the
// operator would (next CA published, leaves re-signed after the lead time,
// old CA retired): every handshake along the way succeeds, and after the
// leaves land the handler serves the new certificate.
func TestCertificateRotationKeepsNodeAPIWorking(t *testing.T) {
	v := certs.Validity{CA: time.Hour, Cert: time.Hour}
	// The operator's reconciles, dated in the past so every certificate is
	// valid for the real handshakes now: install 50 minutes ago, the next CA
	// staged at 70 % of the CA's hour (8 minutes ago), seen published a minute
	// later, leaves re-signed once the lead time (3 minutes) passed, the old
	// CA retired when the leaves moved a lead time ago.
	now := time.Now()
	first, err := certs.Desired(now.Add(-50*time.Minute), installNS, v, certs.Observed{})
	if err != nil {
		t.Fatal(err)
	}
	vol := newVolumes(t)
	publishBundle(t, vol, first)
	publishLeaves(t, vol, first)

	handlerTLS, err := nodeapi.TLSConfig(filepath.Join(vol.handlerServer, "tls.crt"),
		filepath.Join(vol.handlerServer, "tls.key"), filepath.Join(vol.handlerCA, certs.CABundleKey))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = handlerTLS
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	apiTLS, err := subresources.NewNodeTLS(subresources.NodeClientConfig{
		CertFile: filepath.Join(vol.apiClient, "tls.crt"), KeyFile: filepath.Join(vol.apiClient, "tls.key"),
		CAFile: filepath.Join(vol.apiCA, certs.CABundleKey), ServerName: certs.HandlerServerName(installNS),
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func(step string) []byte {
		served, err := nodeCall(srv.Listener.Addr().String(), apiTLS)
		if err != nil {
			t.Fatalf("%s: virt-api cannot reach virt-handler: %v", step, err)
		}
		return served
	}
	if served := call("before rotation"); !sameCert(served, secretByName(t, first, certs.HandlerServerSecretName)) {
		t.Fatal("before rotation: handler serves something else than its Secret")
	}
	// Step 1: the next CA is staged and published beside the current one;
	// the leaves stay as they are.
	second, err := certs.Desired(now.Add(-8*time.Minute), installNS, v, observed(first))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(second.CABundlePEM); n <= len(first.CABundlePEM) {
		t.Fatalf("next CA was not published: bundle %d bytes, before %d", n, len(first.CABundlePEM))
	}
	if !sameCert(secretDER(t, first, certs.HandlerServerSecretName), secretByName(t, second, certs.HandlerServerSecretName)) {
		t.Fatal("a leaf was re-signed before the bundle holding its CA was observed")
	}
	publishBundle(t, vol, second)
	call("bundle rotated, leaves not yet")
	// The bundle is observed holding the next CA: the lead time starts; once
	// it passed, the leaves are re-signed by the next CA.
	third, err := certs.Desired(now.Add(-7*time.Minute), installNS, v, observed(second))
	if err != nil {
		t.Fatal(err)
	}
	fourth, err := certs.Desired(now.Add(-3*time.Minute), installNS, v, observed(third))
	if err != nil {
		t.Fatal(err)
	}
	if sameCert(secretDER(t, first, certs.HandlerServerSecretName), secretByName(t, fourth, certs.HandlerServerSecretName)) {
		t.Fatal("leaves not re-signed after the lead time")
	}
	publishBundle(t, vol, fourth)
	call("leaves re-signed, none mounted yet")
	secretvolume.Write(t, vol.handlerServer, tlsFiles(secretByName(t, fourth, certs.HandlerServerSecretName)))
	call("handler serving certificate rotated, virt-api client certificate not yet")
	secretvolume.Write(t, vol.apiClient, tlsFiles(secretByName(t, fourth, certs.HandlerClientSecretName)))
	if served := call("all rotated"); !sameCert(served, secretByName(t, fourth, certs.HandlerServerSecretName)) {
		t.Fatal("after rotation: handler does not serve the rotated certificate")
	}
	// Once the leaves moved a lead time ago the old CA leaves the bundle.
	fifth, err := certs.Desired(now, installNS, v, observed(fourth))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fifth.CABundlePEM); n >= len(fourth.CABundlePEM) {
		t.Fatalf("old CA still in the bundle: %d bytes, before %d", n, len(fourth.CABundlePEM))
	}
	publishBundle(t, vol, fifth)
	call("old CA retired")
}

// secretDER is the DER of the certificate in the plan's Secret name.
func secretDER(t *testing.T, p certs.Plan, name string) []byte {
	t.Helper()
	block, _ := pem.Decode(secretByName(t, p, name).Data["tls.crt"])
	if block == nil {
		t.Fatalf("secret %s holds no certificate", name)
	}
	return block.Bytes
}

func publishBundle(t *testing.T, vol volumes, p certs.Plan) {
	secretvolume.Write(t, vol.handlerCA, bundleFiles(p))
	secretvolume.Write(t, vol.apiCA, bundleFiles(p))
}

func publishLeaves(t *testing.T, vol volumes, p certs.Plan) {
	secretvolume.Write(t, vol.handlerServer, tlsFiles(secretByName(t, p, certs.HandlerServerSecretName)))
	secretvolume.Write(t, vol.apiClient, tlsFiles(secretByName(t, p, certs.HandlerClientSecretName)))
}

// nodeCall makes one request over a new connection, as virt-api does, and
// returns the certificate the handler served (DER).
func nodeCall(addr string, n *subresources.NodeTLS) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := (&tls.Dialer{Config: n.For("", addr)}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	tc := conn.(*tls.Conn)
	client := &http.Client{Transport: &http.Transport{DialTLSContext: func(context.Context, string, string) (net.Conn, error) {
		return tc, nil
	}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	_ = resp.Body.Close()
	return tc.ConnectionState().PeerCertificates[0].Raw, nil
}

func sameCert(der []byte, s *corev1.Secret) bool {
	block, _ := pem.Decode(s.Data["tls.crt"])
	if block == nil {
		return false
	}
	c, err := x509.ParseCertificate(block.Bytes)
	return err == nil && string(c.Raw) == string(der)
}
