package importer

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"kvirt.io/kvirt/pkg/certs"
)

// The sources an importer fills its volume from (--source).
const (
	SourceHTTP     = "http"
	SourceBlank    = "blank"
	SourceRegistry = "registry"
	SourcePVC      = "pvc"
	SourceUpload   = "upload"
)

// The content types (--content-type); only kubevirt (a disk image) is imported.
const (
	ContentKubevirt = "kubevirt"
	ContentArchive  = "archive"
)

// The environment variables holding http/registry credentials (secretRef).
const (
	EnvAccessKey = "IMPORTER_ACCESS_KEY_ID"
	EnvSecretKey = "IMPORTER_SECRET_KEY"
)

// Options are kvirt-importer's flags (the DataVolume controller's contract).
type Options struct {
	// Source is http, blank, registry, pvc or upload.
	Source string
	// Endpoint is the URL of an http or registry (docker://host/repo:tag) source.
	Endpoint string
	// Dest is /data/disk.img (Filesystem volume) or a block device.
	Dest string
	// ImageSize is the usable size of a Filesystem target in bytes.
	ImageSize int64
	// ContentType is kubevirt (archive is refused).
	ContentType string
	// CertDir holds PEM CA bundles trusted besides the system roots.
	CertDir string
	// InsecureTLS skips TLS verification of the source.
	InsecureTLS bool
	// SourcePath is the source PVC's disk.img or block device (pvc).
	SourcePath string
	// ScratchDir holds a qcow2 download while it is converted; when it does
	// not exist a Filesystem import uses the destination's directory.
	ScratchDir string
	// ProgressListen is the address of GET /progress; empty: not served.
	ProgressListen string
	// TerminationLog receives the one-line failure reason; empty: none.
	TerminationLog string
	// Attempts is how many times a source connection is tried.
	Attempts int
	// Backoff is the first wait between attempts; it doubles.
	Backoff time.Duration
	// UploadListen is the TLS address of the upload server (upload).
	UploadListen string
	// TLSCert and TLSKey are the upload server's PEM certificate and key.
	TLSCert, TLSKey string
	// ClientCA is the PEM bundle an upload client's certificate must chain to.
	ClientCA string
	// ClientName is the only client certificate subject (CN) accepted.
	ClientName string
}

// AddFlags registers the flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Source, "source", "", "where the image comes from: http, blank, registry, pvc or upload")
	fs.StringVar(&o.Endpoint, "endpoint", "", "image URL (http) or docker://host/repo:tag (registry)")
	fs.StringVar(&o.Dest, "dest", "/data/disk.img", "destination: disk image file of a Filesystem PVC or a block device")
	fs.Int64Var(&o.ImageSize, "image-size", 0, "usable target size in bytes (required for a Filesystem destination)")
	fs.StringVar(&o.ContentType, "content-type", ContentKubevirt, "kubevirt (a disk image); archive is not supported")
	fs.StringVar(&o.CertDir, "cert-dir", "", "directory of PEM CA bundles trusted besides the system roots")
	fs.BoolVar(&o.InsecureTLS, "insecure-tls", false, "do not verify the source's TLS certificate")
	fs.StringVar(&o.SourcePath, "source-path", "", "source PVC disk image or block device (pvc)")
	fs.StringVar(&o.ScratchDir, "scratch-dir", "/scratch",
		"directory for a qcow2 download before conversion (needed for Block; Filesystem falls back to the destination's directory)")
	fs.StringVar(&o.ProgressListen, "progress-listen", ":8443", "address serving GET /progress (plain HTTP); empty: off")
	fs.StringVar(&o.TerminationLog, "termination-log", "/dev/termination-log", "file receiving the failure reason")
	fs.IntVar(&o.Attempts, "attempts", 5, "connection attempts to the source before failing")
	fs.DurationVar(&o.Backoff, "backoff", 2*time.Second, "wait after the first failed attempt (doubles each time)")
	fs.StringVar(&o.UploadListen, "upload-listen", ":8443",
		"TLS address of the upload server (upload; it also serves GET /progress, and --progress-listen is unused)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "upload server's PEM certificate file (upload)")
	fs.StringVar(&o.TLSKey, "tls-key", "", "upload server's PEM private key file (upload)")
	fs.StringVar(&o.ClientCA, "client-ca", "", "PEM CA bundle an upload client's certificate must chain to (upload; required)")
	fs.StringVar(&o.ClientName, "client-name", certs.UploadProxyCommonName,
		"the only client certificate common name the upload server accepts")
}

// Validate accepts any flags: they are checked at the start of Run, so that a
// bad argument also reaches the termination log.
func (o *Options) Validate() error { return nil }

// validate checks the flags against the source.
func (o *Options) validate() error {
	if o.ContentType == ContentArchive {
		return errors.New("content type archive is not supported yet; use kubevirt")
	}
	if o.ContentType != ContentKubevirt {
		return fmt.Errorf("unknown content type %q", o.ContentType)
	}
	if o.Dest == "" {
		return errors.New("--dest is required")
	}
	if err := o.validateSource(); err != nil {
		return err
	}
	if o.ImageSize < 0 {
		return errors.New("--image-size must not be negative")
	}
	return nil
}

// validateSource checks the flags the chosen source needs.
func (o *Options) validateSource() error {
	switch o.Source {
	case SourceHTTP, SourceRegistry:
		if o.Endpoint == "" {
			return fmt.Errorf("--endpoint is required for source %s", o.Source)
		}
	case SourcePVC:
		if o.SourcePath == "" {
			return errors.New("--source-path is required for source pvc")
		}
	case SourceBlank:
	case SourceUpload:
		if o.TLSCert == "" || o.TLSKey == "" || o.UploadListen == "" || o.ClientCA == "" || o.ClientName == "" {
			return errors.New("--tls-cert, --tls-key, --client-ca, --client-name and --upload-listen are required for source upload")
		}
	default:
		return fmt.Errorf("unknown source %q: want http, blank, registry, pvc or upload", o.Source)
	}
	return nil
}

// credentials returns basic auth from the environment when both are set.
func credentials() (user, password string) {
	user, password = os.Getenv(EnvAccessKey), os.Getenv(EnvSecretKey)
	if user == "" || password == "" {
		return "", ""
	}
	return user, password
}
