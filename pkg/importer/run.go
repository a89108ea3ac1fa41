package importer

import (
	"context"
	"errors"
	"net"

	"golang.org/x/sync/errgroup"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/importer/progress"
	"kvirt.io/kvirt/pkg/importer/source"
)

// Run imports the image and returns when it is done; on failure the reason is
// also written to the termination log.
func (o *Options) Run(ctx context.Context) error {
	err := o.listenAndRun(ctx)
	if err != nil {
		writeTerminationLog(o.TerminationLog, err)
	}
	return err
}

func (o *Options) listenAndRun(ctx context.Context) error {
	if err := o.validate(); err != nil {
		return &Failure{Reason: reasonFlags, Err: err}
	}
	var l net.Listener
	if o.ProgressListen != "" && o.Source != SourceUpload {
		var err error
		if l, err = net.Listen("tcp", o.ProgressListen); err != nil {
			return fail(reasonProgress, err)
		}
	}
	return o.runWith(ctx, l, &progress.Counter{})
}

// runWith imports while serving c on l (when not nil).
func (o *Options) runWith(ctx context.Context, l net.Listener, c *progress.Counter) error {
	g, ctx := errgroup.WithContext(ctx)
	done, stop := context.WithCancel(ctx)
	if l != nil {
		g.Go(func() error { return progress.Serve(done, l, c) })
	}
	g.Go(func() error {
		defer stop()
		return o.importImage(ctx, c)
	})
	return g.Wait()
}

func (o *Options) importImage(ctx context.Context, c *progress.Counter) error {
	log := klog.FromContext(ctx)
	t, err := openTarget(o.Dest, o.ImageSize, o.ScratchDir)
	if err != nil {
		return err
	}
	log.Info("importing", "source", o.Source, "endpoint", o.Endpoint, "dest", o.Dest, "capacity", t.Capacity())
	switch o.Source {
	case SourceBlank:
		err = t.Blank()
	case SourcePVC:
		err = o.clone(t, c)
	case SourceHTTP:
		err = o.importHTTP(ctx, t, c)
	case SourceRegistry:
		err = o.importRegistry(ctx, t, c)
	case SourceUpload:
		err = o.serveUpload(ctx, t, c)
	default:
		err = errors.New("unknown source " + o.Source)
	}
	if err == nil {
		log.Info("import done", "dest", o.Dest)
	}
	return err
}

func (o *Options) importHTTP(ctx context.Context, t target, c *progress.Counter) error {
	user, password := credentials()
	s, err := source.OpenHTTP(ctx, source.HTTPConfig{
		URL: o.Endpoint, CertDir: o.CertDir, Insecure: o.InsecureTLS, Username: user, Password: password,
		Attempts: o.Attempts, Backoff: o.Backoff,
	})
	if err != nil {
		return fail(reasonHTTP, err)
	}
	defer s.Body.Close()
	return writeImage(ctx, s, t, c)
}

// clone copies a source PVC's image byte for byte (no format detection: a
// clone is what the source holds).
func (o *Options) clone(t target, c *progress.Counter) error {
	s, err := source.OpenFile(o.SourcePath)
	if err != nil {
		return fail(reasonSource, err)
	}
	defer s.Body.Close()
	if err := checkFits(s.Size, t.Capacity()); err != nil {
		return err
	}
	c.SetTotal(s.Size)
	return t.WriteRaw(c.Reader(s.Body))
}
