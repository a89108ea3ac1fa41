package subresources

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// RequestHeaderConfig says whom to trust for X-Remote-* identity headers; the
// kube-apiserver publishes it in kube-system/extension-apiserver-authentication.
type RequestHeaderConfig struct {
	ClientCAs      *x509.CertPool
	AllowedNames   []string
	UsernameHeader []string
	GroupHeaders   []string
	ExtraPrefixes  []string
}

// LoadRequestHeaderConfig reads the requestheader settings the apiserver publishes.
func LoadRequestHeaderConfig(ctx context.Context, kube kubernetes.Interface) (RequestHeaderConfig, error) {
	cm, err := kube.CoreV1().ConfigMaps(authConfigMapNamespace).Get(ctx, authConfigMapName, metav1.GetOptions{})
	if err != nil {
		return RequestHeaderConfig{}, fmt.Errorf("get %s: %w", authConfigMapName, err)
	}
	return parseRequestHeaderConfig(cm)
}

// parseRequestHeaderConfig reads the requestheader settings out of the
// apiserver's extension-apiserver-authentication ConfigMap.
func parseRequestHeaderConfig(cm *corev1.ConfigMap) (RequestHeaderConfig, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(cm.Data["requestheader-client-ca-file"])) {
		return RequestHeaderConfig{}, errors.New("no requestheader client CA published: is aggregation configured?")
	}
	cfg := RequestHeaderConfig{ClientCAs: pool}
	for key, into := range map[string]*[]string{
		"requestheader-allowed-names":        &cfg.AllowedNames,
		"requestheader-username-headers":     &cfg.UsernameHeader,
		"requestheader-group-headers":        &cfg.GroupHeaders,
		"requestheader-extra-headers-prefix": &cfg.ExtraPrefixes,
	} {
		if raw := cm.Data[key]; raw != "" {
			if err := json.Unmarshal([]byte(raw), into); err != nil {
				return RequestHeaderConfig{}, fmt.Errorf("parse %s: %w", key, err)
			}
		}
	}
	return cfg, nil
}

// user is an authenticated caller.
type user struct {
	name   string
	groups []string
	extra  map[string]authorizationv1.ExtraValue
}

// authenticate trusts identity headers only from a client certificate signed by
// the requestheader CA with an allowed common name.
func (c RequestHeaderConfig) authenticate(r *http.Request) (user, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return user{}, errors.New("no client certificate")
	}
	certs := r.TLS.PeerCertificates
	inter := x509.NewCertPool()
	for _, ic := range certs[1:] {
		inter.AddCert(ic)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: c.ClientCAs, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return user{}, fmt.Errorf("verify client certificate: %w", err)
	}
	if len(c.AllowedNames) > 0 && !slices.Contains(c.AllowedNames, certs[0].Subject.CommonName) {
		return user{}, fmt.Errorf("client certificate %q is not an allowed requestheader name", certs[0].Subject.CommonName)
	}
	u := user{extra: map[string]authorizationv1.ExtraValue{}}
	for _, h := range c.UsernameHeader {
		if v := r.Header.Get(h); v != "" {
			u.name = v
			break
		}
	}
	if u.name == "" {
		return user{}, errors.New("no user in the request headers")
	}
	for _, h := range c.GroupHeaders {
		u.groups = append(u.groups, r.Header.Values(h)...)
	}
	for _, prefix := range c.ExtraPrefixes {
		for k, vs := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), strings.ToLower(prefix)) {
				u.extra[strings.ToLower(k[len(prefix):])] = vs
			}
		}
	}
	return u, nil
}

// authorize asks the apiserver whether u may use verb on the subresource.
func authorize(ctx context.Context, kube kubernetes.Interface, u user, verb string, t target) (bool, string, error) {
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: u.name, Groups: u.groups, Extra: u.extra,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: t.namespace, Verb: verb, Group: GroupName, Version: Version,
			Resource: t.resource, Subresource: t.sub, Name: t.name,
		},
	}}
	res, err := kube.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err != nil {
		return false, "", fmt.Errorf("subject access review: %w", err)
	}
	return res.Status.Allowed, res.Status.Reason, nil
}
