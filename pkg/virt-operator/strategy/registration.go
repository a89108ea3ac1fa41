package strategy

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/yaml"

	"kvirt.io/kvirt/manifests"
)

// CRDs are the generated CustomResourceDefinitions of manifests/crds.
func CRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	files, err := manifests.CRDFiles()
	if err != nil {
		return nil, err
	}
	return decodeCRDs(files)
}

func decodeCRDs(files [][]byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	out := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(files))
	for _, f := range files {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(f, crd); err != nil {
			return nil, fmt.Errorf("decode crd: %w", err)
		}
		crd.TypeMeta = metav1.TypeMeta{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"}
		out = append(out, crd)
	}
	return out, nil
}

// KubeVirtCRDName names the KubeVirt kind's CRD.
const KubeVirtCRDName = "kubevirts.kubevirt.io"

// KubeVirtCRD is the CRD of the KubeVirt kind itself (shipped in the release manifest).
func KubeVirtCRD() (*apiextensionsv1.CustomResourceDefinition, error) {
	crds, err := CRDs()
	if err != nil {
		return nil, err
	}
	for _, c := range crds {
		if c.Name == KubeVirtCRDName {
			return c, nil
		}
	}
	return nil, fmt.Errorf("no kubevirts.kubevirt.io among the embedded crds")
}

// Registration is virt-api's webhook configurations and APIService (as generated in
// manifests/virt-api), pointed at the virt-api Service of namespace and trusting caBundle.
func Registration(namespace string, caBundle []byte) ([]Object, error) {
	docs, err := manifests.VirtAPIRegistration()
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, d := range docs {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal(d, &meta); err != nil {
			return nil, fmt.Errorf("decode registration kind: %w", err)
		}
		obj, err := decodeRegistration(meta.Kind, d, namespace, caBundle)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

func decodeRegistration(kind string, doc []byte, namespace string, caBundle []byte) (Object, error) {
	switch kind {
	case "ValidatingWebhookConfiguration":
		c := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := yaml.UnmarshalStrict(doc, c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kind, err)
		}
		for i := range c.Webhooks {
			pointAt(&c.Webhooks[i].ClientConfig, namespace, caBundle)
		}
		return c, nil
	case "MutatingWebhookConfiguration":
		c := &admissionregistrationv1.MutatingWebhookConfiguration{}
		if err := yaml.UnmarshalStrict(doc, c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kind, err)
		}
		for i := range c.Webhooks {
			pointAt(&c.Webhooks[i].ClientConfig, namespace, caBundle)
		}
		return c, nil
	case "APIService":
		s := &apiregistrationv1.APIService{}
		if err := yaml.UnmarshalStrict(doc, s); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kind, err)
		}
		if s.Spec.Service != nil {
			s.Spec.Service.Namespace = namespace
		}
		s.Spec.CABundle = caBundle
		return s, nil
	}
	return nil, fmt.Errorf("unexpected kind %q in virt-api registration", kind)
}

func pointAt(cc *admissionregistrationv1.WebhookClientConfig, namespace string, caBundle []byte) {
	if cc.Service != nil {
		cc.Service.Namespace = namespace
	}
	cc.CABundle = caBundle
}
