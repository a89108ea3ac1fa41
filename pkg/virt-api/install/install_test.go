package install

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

func TestWebhooksFailClosedWithUpstreamTimeout(t *testing.T) {
	target := Target{ServiceNamespace: "kubevirt", ServiceName: "virt-api"}
	v, m := ValidatingWebhooks(target), MutatingWebhooks(target)
	if len(v.Webhooks) != 8 || len(m.Webhooks) != 3 {
		t.Fatalf("%d validating and %d mutating webhooks", len(v.Webhooks), len(m.Webhooks))
	}
	check := func(name string, fp *admissionregistrationv1.FailurePolicyType, timeout *int32, cc admissionregistrationv1.WebhookClientConfig) {
		if fp == nil || *fp != admissionregistrationv1.Fail || timeout == nil || *timeout != 10 {
			t.Errorf("%s: failurePolicy %v timeout %v", name, fp, timeout)
		}
		if cc.Service == nil || cc.Service.Name != "virt-api" || cc.Service.Path == nil {
			t.Errorf("%s: client config %+v", name, cc)
		}
	}
	for _, w := range v.Webhooks {
		check(w.Name, w.FailurePolicy, w.TimeoutSeconds, w.ClientConfig)
	}
	for _, w := range m.Webhooks {
		check(w.Name, w.FailurePolicy, w.TimeoutSeconds, w.ClientConfig)
	}
}

func TestURLTargetForLocalProcess(t *testing.T) {
	v := ValidatingWebhooks(Target{URL: "https://127.0.0.1:18443", CABundle: []byte("ca")})
	cc := v.Webhooks[0].ClientConfig
	if cc.URL == nil || *cc.URL != "https://127.0.0.1:18443/validate/virtualmachines" || cc.Service != nil {
		t.Fatalf("client config %+v", cc)
	}
	if a := APIService(Target{ServiceNamespace: "kubevirt", ServiceName: "virt-api", ServicePort: 18443}); *a.Spec.Service.Port != 18443 || a.Name != "v1.subresources.kubevirt.io" {
		t.Fatalf("APIService %+v", a)
	}
}
