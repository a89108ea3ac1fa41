package servingcert

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"kvirt.io/kvirt/pkg/nodecert"
)

// request creates a CSR for name with a fresh key and waits until it is
// signed, denied or failed (or ctx ends); it returns the PEM certificate
// and key.
func request(ctx context.Context, kube kubernetes.Interface, node, name string) ([]byte, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	reqPEM, err := nodecert.Request(key, name)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal key: %w", err)
	}
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "node-api-" + prefix(node) + "-"},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			SignerName: nodecert.SignerName, Request: reqPEM, Usages: nodecert.Usages,
		},
	}
	created, err := kube.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate signing request: %w", err)
	}
	certPEM, err := await(ctx, kube, created.Name)
	if err != nil {
		return nil, nil, err
	}
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

// prefix is the start of node (at most 40 characters), so that kubectl get
// csr shows whose request it is; it proves nothing.
func prefix(node string) string {
	if len(node) > 40 {
		node = node[:40]
	}
	return strings.TrimRight(node, ".-")
}

// await watches the CSR until it carries a certificate or is denied or failed.
func await(ctx context.Context, kube kubernetes.Interface, name string) ([]byte, error) {
	api := kube.CertificatesV1().CertificateSigningRequests()
	for {
		csr, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("get certificate signing request %s: %w", name, err)
		}
		if done, cert, err := outcome(csr); done {
			return cert, err
		}
		w, err := api.Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String(),
			ResourceVersion: csr.ResourceVersion})
		if err != nil {
			return nil, fmt.Errorf("watch certificate signing request %s: %w", name, err)
		}
		cert, done, err := drain(ctx, w, name)
		w.Stop()
		if done {
			return cert, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

// drain reads watch events until the request is decided or the watch ends.
func drain(ctx context.Context, w watch.Interface, name string) ([]byte, bool, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, true, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, false, nil
			}
			csr, isCSR := ev.Object.(*certificatesv1.CertificateSigningRequest)
			if !isCSR || csr.Name != name {
				continue
			}
			if ev.Type == watch.Deleted {
				return nil, true, fmt.Errorf("certificate signing request %s was deleted", name)
			}
			if done, cert, err := outcome(csr); done {
				return cert, true, err
			}
		}
	}
}

// outcome says whether csr is decided: its certificate, or why not.
func outcome(csr *certificatesv1.CertificateSigningRequest) (bool, []byte, error) {
	for _, c := range csr.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		if c.Type == certificatesv1.CertificateDenied || c.Type == certificatesv1.CertificateFailed {
			return true, nil, fmt.Errorf("certificate signing request %s %s: %s: %s", csr.Name, c.Type, c.Reason, c.Message)
		}
	}
	if len(csr.Status.Certificate) > 0 {
		return true, csr.Status.Certificate, nil
	}
	return false, nil, nil
}
