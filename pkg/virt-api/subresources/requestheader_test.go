package subresources

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/tests/framework/poll"
)

func authConfigMap(ca testCA, allowed string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: authConfigMapNamespace, Name: authConfigMapName},
		Data: map[string]string{
			"requestheader-client-ca-file":   string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})),
			"requestheader-allowed-names":    `["` + allowed + `"]`,
			"requestheader-username-headers": `["X-Remote-User"]`,
		}}
}

func frontProxyRequest(cert *x509.Certificate) *http.Request {
	r := httptest.NewRequest(http.MethodPut, "/", nil)
	r.Header.Set("X-Remote-User", "alice")
	r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}}
	return r
}

// TestRequestHeaderFollowsRotation: once the apiserver publishes a new
// front-proxy CA and allowed name, the watcher trusts the new proxy
// certificate and no longer the old one; a ConfigMap that does not parse
// keeps the last good settings.
func TestRequestHeaderFollowsRotation(t *testing.T) {
	oldCA, newCA := newCA(t), newCA(t)
	kube := kubefake.NewClientset(authConfigMap(oldCA, "front-proxy-client"))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := WatchRequestHeaderConfig(ctx, kube)
	if err != nil {
		t.Fatal(err)
	}
	oldProxy, newProxy := oldCA.client(t, "front-proxy-client"), newCA.client(t, "front-proxy-2")
	if _, err := w.Current().authenticate(frontProxyRequest(oldProxy)); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	cms := kube.CoreV1().ConfigMaps(authConfigMapNamespace)
	if _, err := cms.Update(ctx, authConfigMap(newCA, "front-proxy-2"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 30*time.Second, "new front-proxy CA trusted", func() error {
		_, err := w.Current().authenticate(frontProxyRequest(newProxy))
		return err
	})
	if _, err := w.Current().authenticate(frontProxyRequest(oldProxy)); err == nil {
		t.Error("old front-proxy certificate still trusted after rotation")
	}
	// A version that does not parse is not taken.
	broken := authConfigMap(newCA, "someone")
	broken.Data["requestheader-client-ca-file"] = "garbage"
	w.observe(klog.Background(), broken)
	if _, err := w.Current().authenticate(frontProxyRequest(newProxy)); err != nil {
		t.Errorf("after a broken version: %v", err)
	}
}
