package certs

import (
	"crypto/x509"
	"time"

	kvirtcerts "kvirt.io/kvirt/pkg/certs"
)

// Names of the objects this package plans, all in the install namespace.
const (
	CASecretName            = "kubevirt-ca"
	VirtAPISecretName       = "kubevirt-virt-api-certs"
	HandlerServerSecretName = "kubevirt-virt-handler-server-certs"
	HandlerClientSecretName = "kubevirt-virt-handler-certs"
	UploadProxySecretName   = "kubevirt-upload-proxy-certs"
	CABundleConfigMapName   = "kubevirt-ca"
	// CABundleKey is the ConfigMap key holding the PEM bundle.
	CABundleKey = "ca-bundle"
	// HandlerClientCommonName is the subject virt-api presents to virt-handler.
	HandlerClientCommonName = kvirtcerts.NodeAPIClientCommonName
	// UploadProxyCommonName is the subject virt-api presents to DataVolume
	// upload servers.
	UploadProxyCommonName = kvirtcerts.UploadProxyCommonName
)

// Default lifetimes (operator flags --ca-validity and --cert-validity).
const (
	DefaultCAValidity   = 7 * 24 * time.Hour
	DefaultCertValidity = 24 * time.Hour
)

// renewNumerator/renewDenominator: a certificate is renewed once this share
// of its lifetime has passed.
const (
	renewNumerator   = 4
	renewDenominator = 5
)

// leafSpec is what one leaf certificate must say.
type leafSpec struct {
	secret     string
	commonName string
	dnsNames   []string
	usage      x509.ExtKeyUsage
}

// leafSpecs lists the leaves of an install in namespace, in Plan order.
func leafSpecs(namespace string) []leafSpec {
	svc := "virt-api"
	return []leafSpec{
		{
			secret: VirtAPISecretName, commonName: svc + "." + namespace + ".svc",
			dnsNames: []string{svc, svc + "." + namespace, svc + "." + namespace + ".svc",
				svc + "." + namespace + ".svc.cluster.local"},
			usage: x509.ExtKeyUsageServerAuth,
		},
		{
			secret: HandlerServerSecretName, commonName: HandlerServerName(namespace),
			dnsNames: []string{HandlerServerName(namespace)}, usage: x509.ExtKeyUsageServerAuth,
		},
		{
			secret: HandlerClientSecretName, commonName: HandlerClientCommonName,
			usage: x509.ExtKeyUsageClientAuth,
		},
		{
			secret: UploadProxySecretName, commonName: UploadProxyCommonName,
			usage: x509.ExtKeyUsageClientAuth,
		},
	}
}

// HandlerServerName is the DNS name in virt-handler's node API serving
// certificate, which virt-api verifies (its --handler-server-name).
func HandlerServerName(namespace string) string { return "virt-handler." + namespace + ".svc" }
