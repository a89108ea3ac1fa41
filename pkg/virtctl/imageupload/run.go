package imageupload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
)

// pollInterval is how often the DataVolume's phase is read while waiting.
const pollInterval = 2 * time.Second

// Output is where image-upload writes: messages to Out, progress to Progress
// (a bar when TTY).
type Output struct {
	Out, Progress io.Writer
	TTY           bool
}

// runner is one image-upload against one cluster.
type runner struct {
	o    *Options
	ns   string
	kube kubernetes.Interface
	cdi  kvirtclient.Interface
	up   *uploader
	out  Output
	poll time.Duration
}

// Run uploads o.ImagePath into DataVolume o.Name in namespace ns; o is valid.
func (o *Options) Run(ctx context.Context, cfg *rest.Config, ns string, out Output) error {
	f, size, err := openImage(o.ImagePath)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if o.UploadProxyURL != "" {
		_, _ = fmt.Fprintln(out.Progress, "--uploadproxy-url is not needed and ignored: the upload goes through the Kubernetes API")
	}
	r, err := o.newRunner(cfg, ns, out)
	if err != nil {
		return err
	}
	return r.run(ctx, f, size)
}

func (o *Options) newRunner(cfg *rest.Config, ns string, out Output) (*runner, error) {
	cfg = rest.CopyConfig(cfg)
	if o.Insecure {
		cfg.Insecure, cfg.CAFile, cfg.CAData = true, "", nil
	}
	r := &runner{o: o, ns: ns, out: out, poll: pollInterval}
	var err error
	if r.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if r.cdi, err = kvirtclient.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if r.up, err = newUploader(cfg); err != nil {
		return nil, err
	}
	return r, nil
}

// openImage opens the image and returns its size; errors name --image-path.
func openImage(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("--image-path %s: file not found", path)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("--image-path %s: %w", path, err)
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		err = fmt.Errorf("--image-path %s: %w", path, err)
	case st.IsDir():
		err = fmt.Errorf("--image-path %s is a directory, not a disk image", path)
	case st.Size() == 0:
		err = fmt.Errorf("--image-path %s is empty", path)
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func (r *runner) run(ctx context.Context, image io.ReaderAt, size int64) error {
	if err := r.ensureDataVolume(ctx); err != nil {
		return err
	}
	if err := r.waitFor(ctx, "UploadReady", readyForUpload); err != nil {
		return err
	}
	r.printf("Uploading data to DataVolume %s/%s through the Kubernetes API\n", r.ns, r.o.Name)
	if err := r.upload(ctx, image, size); err != nil {
		return err
	}
	r.printf("Uploading data completed successfully, waiting for processing to complete, " +
		"you can hit ctrl-c without interrupting the progress\n")
	if err := r.waitFor(ctx, "Succeeded", processed); err != nil {
		return err
	}
	r.printf("Uploading %s completed successfully\n", r.o.ImagePath)
	return nil
}

func (r *runner) printf(format string, a ...any) { _, _ = fmt.Fprintf(r.out.Out, format, a...) }

// ensureDataVolume creates the upload DataVolume, or checks the existing one
// can take the upload.
func (r *runner) ensureDataVolume(ctx context.Context) error {
	dvs := r.cdi.CdiV1beta1().DataVolumes(r.ns)
	dv, err := dvs.Get(ctx, r.o.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		if err := usable(dv); err != nil {
			return err
		}
		r.printf("Using existing DataVolume %s/%s\n", r.ns, r.o.Name)
		return nil
	case apierrors.IsForbidden(err):
		return notAllowed("get", "datavolumes", r.ns, err)
	case !apierrors.IsNotFound(err):
		return fmt.Errorf("get DataVolume %s/%s: %w", r.ns, r.o.Name, err)
	case r.o.NoCreate:
		return fmt.Errorf("DataVolume %s/%s not found and --no-create is set", r.ns, r.o.Name)
	}
	if err := r.claimFree(ctx); err != nil {
		return err
	}
	want, err := r.o.DataVolume(r.ns)
	if err != nil {
		return err
	}
	if _, err := dvs.Create(ctx, want, metav1.CreateOptions{}); err != nil {
		if apierrors.IsForbidden(err) {
			return notAllowed("create", "datavolumes", r.ns, err)
		}
		return fmt.Errorf("create DataVolume %s/%s: %w", r.ns, r.o.Name, err)
	}
	r.printf("DataVolume %s/%s created\n", r.ns, r.o.Name)
	return nil
}

// claimFree refuses a PVC of the name that exists without its DataVolume:
// the DataVolume controller would not adopt it for an upload. A claim that
// cannot be read is left to the controller to report.
func (r *runner) claimFree(ctx context.Context) error {
	_, err := r.kube.CoreV1().PersistentVolumeClaims(r.ns).Get(ctx, r.o.Name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return fmt.Errorf("PVC %s/%s exists and no upload DataVolume owns it: kvirt uploads only into DataVolumes "+
		"(image-upload creates DataVolume %s, whose claim is PVC %s); choose another name or delete the PVC",
		r.ns, r.o.Name, r.o.Name, r.o.Name)
}

func notAllowed(verb, resource, ns string, err error) error {
	return fmt.Errorf("not allowed to %s %s in namespace %s: %w", verb, resource, ns, err)
}

// waitFor polls the DataVolume until done says so or fails, for --wait-secs.
func (r *runner) waitFor(ctx context.Context, what string, done func(*cdiv1beta1.DataVolume) (bool, error)) error {
	var last *cdiv1beta1.DataVolume
	err := wait.PollUntilContextTimeout(ctx, r.poll, r.o.waitTimeout(), true, func(ctx context.Context) (bool, error) {
		dv, err := r.cdi.CdiV1beta1().DataVolumes(r.ns).Get(ctx, r.o.Name, metav1.GetOptions{})
		if err != nil {
			if apierrors.IsForbidden(err) {
				return false, notAllowed("get", "datavolumes", r.ns, err)
			}
			return false, nil
		}
		last = dv
		return done(dv)
	})
	if err == nil || !wait.Interrupted(err) || ctx.Err() != nil {
		return err
	}
	phase := "unknown"
	if last != nil {
		phase = fmt.Sprintf("%q%s", last.Status.Phase, runningMessage(last))
	}
	return fmt.Errorf("timed out after %s (--wait-secs) waiting for DataVolume %s/%s to be %s; phase %s",
		r.o.waitTimeout(), r.ns, r.o.Name, what, phase)
}

// upload streams the image, again after each 503's Retry-After, for up to
// --wait-secs.
func (r *runner) upload(ctx context.Context, image io.ReaderAt, size int64) error {
	deadline := time.Now().Add(r.o.waitTimeout())
	for {
		n := &atomic.Int64{}
		rep := startReporter(r.out.Progress, r.out.TTY, size, n)
		a, err := r.up.post(ctx, r.ns, r.o.Name, countingReader{r: io.NewSectionReader(image, 0, size), n: n}, size)
		rep.Stop(err == nil && a.code == http.StatusOK)
		if err != nil {
			return fmt.Errorf("upload into DataVolume %s/%s: %w", r.ns, r.o.Name, err)
		}
		err = explain(a, r.ns, r.o.Name)
		if !errors.Is(err, errRetry) {
			return err
		}
		if time.Now().Add(a.retryAfter).After(deadline) {
			return fmt.Errorf("DataVolume %s/%s still cannot take the upload after %s (--wait-secs): %s",
				r.ns, r.o.Name, r.o.waitTimeout(), a.message)
		}
		_, _ = fmt.Fprintf(r.out.Progress, "upload server not ready (%s); retrying in %s\n", a.message, a.retryAfter)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(a.retryAfter):
		}
	}
}
