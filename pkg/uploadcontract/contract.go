package uploadcontract

// The upload server pod of DataVolume <name> is PodPrefix+<name>, controlled by
// the DataVolume; virt-api sends the image to https://<pod IP>:Port+Path.
const (
	PodPrefix = "cdi-upload-"
	Port      = 8443
	Path      = "/v1beta1/upload"
	// AnnServerCertSHA256 on the upload pod is the lowercase hex SHA-256 of the
	// DER of the certificate the upload server presents (the DataVolume
	// controller issued it into the pod's TLS Secret); virt-api accepts no other.
	AnnServerCertSHA256 = "kvirt.io/upload-server-cert-sha256"
)
