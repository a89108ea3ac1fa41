package importer

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kvirt.io/kvirt/pkg/importer/progress"
	"kvirt.io/kvirt/pkg/importer/source"
)

// diskDir is where a containerDisk image keeps its disk image.
const diskDir = "/disk"

// errNoDisk says the image holds no file under /disk.
var errNoDisk = errors.New("the image holds no file under /disk")

// importRegistry imports the disk image file of an OCI image
// (docker://host/repo:tag), the containerDisk layout.
func (o *Options) importRegistry(ctx context.Context, t target, c *progress.Counter) error {
	img, err := o.remoteImage(ctx)
	if err != nil {
		return fail(reasonRegistry, err)
	}
	layers, err := img.Layers()
	if err != nil {
		return fail(reasonRegistry, err)
	}
	// The top layer wins: look from the last layer down.
	for i := len(layers) - 1; i >= 0; i-- {
		done, err := importLayerDisk(ctx, layers[i], t, c)
		if done || err != nil {
			return err
		}
	}
	return &Failure{Reason: reasonProcess, Err: errNoDisk}
}

func (o *Options) remoteImage(ctx context.Context) (v1.Image, error) {
	var nameOpts []name.Option
	if o.InsecureTLS {
		nameOpts = append(nameOpts, name.Insecure)
	}
	ref, err := name.ParseReference(strings.TrimPrefix(o.Endpoint, "docker://"), nameOpts...)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", o.Endpoint, err)
	}
	tlsCfg, err := source.TLSConfig(o.CertDir, o.InsecureTLS)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(transport)}
	if user, password := credentials(); user != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: user, Password: password}))
	}
	var img v1.Image
	for attempt := 0; attempt < max(o.Attempts, 1); attempt++ {
		if attempt > 0 {
			if werr := waitBackoff(ctx, attempt, o); werr != nil {
				break
			}
		}
		if img, err = remote.Image(ref, opts...); err == nil || !registryRetryable(err) {
			break
		}
	}
	return img, err
}

// importLayerDisk imports the first regular file under /disk in the layer;
// false when the layer has none.
func importLayerDisk(ctx context.Context, l v1.Layer, t target, c *progress.Counter) (bool, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return false, fail(reasonRegistry, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fail(reasonRead, err)
		}
		if isDiskFile(h) {
			return true, writeImage(ctx, &source.Stream{Body: io.NopCloser(tr), Size: h.Size}, t, c)
		}
	}
}

// isDiskFile reports whether a layer entry is a disk image file: a regular
// file directly under /disk, not a whiteout.
func isDiskFile(h *tar.Header) bool {
	p := path.Clean("/" + h.Name)
	return h.Typeflag == tar.TypeReg && path.Dir(p) == diskDir && !strings.HasPrefix(path.Base(p), ".wh.")
}
