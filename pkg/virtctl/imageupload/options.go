package imageupload

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Kinds of upload target, the first argument.
const (
	KindDV  = "dv"
	KindPVC = "pvc"
)

// defaultWaitSecs is upstream's --wait-secs default.
const defaultWaitSecs = 300

// Options are the flags and arguments of image-upload.
type Options struct {
	// Kind is KindDV or KindPVC; Name the DataVolume's (and its claim's) name.
	Kind, Name string
	ImagePath  string
	Size       string
	// StorageClass, VolumeMode and AccessMode go into the DataVolume's
	// spec.storage; empty leaves them to the cluster's defaults.
	StorageClass, VolumeMode, AccessMode string
	NoCreate                             bool
	Insecure                             bool
	// UploadProxyURL is accepted for upstream's scripts and not used.
	UploadProxyURL string
	WaitSecs       uint
}

// AddFlags registers upstream's flags on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ImagePath, "image-path", "", "Path to the local VM image (raw or qcow2, optionally gzip-compressed).")
	fs.StringVar(&o.Size, "size", "", "The size of the DataVolume to create (ex. 10Gi, 500Mi).")
	fs.StringVar(&o.StorageClass, "storage-class", "", "The storage class for the PVC.")
	fs.StringVar(&o.VolumeMode, "volume-mode", "",
		"Specify the VolumeMode (block/filesystem) used to create the PVC. Default is the cluster's default (filesystem).")
	fs.StringVar(&o.AccessMode, "access-mode", "", "The access mode for the PVC (ex. ReadWriteOnce).")
	fs.BoolVar(&o.NoCreate, "no-create", false, "Don't attempt to create a new DataVolume; upload into an existing one.")
	fs.BoolVar(&o.Insecure, "insecure", false,
		"Allow insecure server connections: do not verify the Kubernetes API server's certificate.")
	fs.StringVar(&o.UploadProxyURL, "uploadproxy-url", "",
		"Accepted for compatibility and ignored: kvirt uploads through the Kubernetes API, no upload proxy URL is needed.")
	fs.UintVar(&o.WaitSecs, "wait-secs", defaultWaitSecs, "Seconds to wait for the upload server to become ready, and again for the DataVolume to succeed after the upload.")
}

// SetArgs takes the positional arguments: dv|pvc NAME.
func (o *Options) SetArgs(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("expecting two args: %s|%s NAME (got %d)", KindDV, KindPVC, len(args))
	}
	kind := strings.ToLower(args[0])
	if kind != KindDV && kind != KindPVC {
		return fmt.Errorf("invalid resource type %q: want %s or %s", args[0], KindDV, KindPVC)
	}
	o.Kind, o.Name = kind, args[1]
	return nil
}

// Validate checks the flags without touching the disk or the cluster.
func (o *Options) Validate() error {
	if o.ImagePath == "" {
		return errors.New("--image-path is required: the path of the local disk image to upload")
	}
	if !o.NoCreate {
		if o.Size == "" {
			return errors.New("--size is required when creating a DataVolume (ex. 10Gi, 500Mi); with --no-create it is not")
		}
		if _, err := o.quantity(); err != nil {
			return err
		}
	}
	if _, err := o.volumeMode(); err != nil {
		return err
	}
	if _, err := o.accessMode(); err != nil {
		return err
	}
	if o.WaitSecs == 0 {
		return errors.New("--wait-secs must be at least 1")
	}
	return nil
}

func (o *Options) quantity() (resource.Quantity, error) {
	q, err := resource.ParseQuantity(o.Size)
	if err != nil {
		return q, fmt.Errorf("--size %q is not a quantity (ex. 10Gi, 500Mi): %w", o.Size, err)
	}
	if q.Sign() <= 0 {
		return q, fmt.Errorf("--size %q must be positive", o.Size)
	}
	return q, nil
}

func (o *Options) volumeMode() (*corev1.PersistentVolumeMode, error) {
	var m corev1.PersistentVolumeMode
	switch strings.ToLower(o.VolumeMode) {
	case "":
		return nil, nil
	case "block":
		m = corev1.PersistentVolumeBlock
	case "filesystem":
		m = corev1.PersistentVolumeFilesystem
	default:
		return nil, fmt.Errorf("--volume-mode %q: valid values are block and filesystem", o.VolumeMode)
	}
	return &m, nil
}

func (o *Options) accessMode() (string, error) {
	switch m := corev1.PersistentVolumeAccessMode(o.AccessMode); m {
	case "", corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod:
		return string(m), nil
	}
	return "", fmt.Errorf("--access-mode %q: valid values are ReadWriteOnce, ReadOnlyMany, ReadWriteMany and ReadWriteOncePod",
		o.AccessMode)
}

func (o *Options) waitTimeout() time.Duration { return time.Duration(o.WaitSecs) * time.Second }
