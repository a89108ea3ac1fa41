package virtoperator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	"kvirt.io/kvirt/pkg/version"
	"kvirt.io/kvirt/pkg/virt-operator/apply"
	"kvirt.io/kvirt/pkg/virt-operator/reconcile"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

// errLostLease ends the process when another instance took over.
var errLostLease = errors.New("lost the leader lease")

type clientSet struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
	dyn   dynamic.Interface
}

// Run serves until ctx ends: health at once, the controller while leading.
func (o *Options) Run(ctx context.Context) error {
	cfg, err := o.Client.RESTConfig()
	if err != nil {
		return err
	}
	cfg.UserAgent = "virt-operator"
	var c clientSet
	if c.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return fmt.Errorf("kube client: %w", err)
	}
	if c.kvirt, err = kvirtclient.NewForConfig(cfg); err != nil {
		return fmt.Errorf("kvirt client: %w", err)
	}
	if c.dyn, err = dynamic.NewForConfig(cfg); err != nil {
		return fmt.Errorf("dynamic client: %w", err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if o.MetricsAddress != "" {
		if err := serveMetrics(ctx, &wg, o.MetricsAddress); err != nil {
			return err
		}
	}
	if !o.Leader.Enabled {
		return o.runController(ctx, c)
	}
	return o.lead(ctx, c)
}

func (o *Options) lead(ctx context.Context, c clientSet) error {
	log := klog.FromContext(ctx)
	id := o.Leader.Identity
	if id == "" {
		host, _ := os.Hostname()
		id = fmt.Sprintf("%s_%d", host, os.Getpid())
	}
	// The elector runs OnStartedLeading on a goroutine it does not wait for, so the
	// callback hands over the leading context and the controller runs here.
	leading := make(chan context.Context, 1)
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock: &resourcelock.LeaseLock{
			LeaseMeta:  metav1.ObjectMeta{Namespace: o.Namespace, Name: o.Leader.Name},
			Client:     c.kube.CoordinationV1(),
			LockConfig: resourcelock.ResourceLockConfig{Identity: id},
		},
		LeaseDuration: o.Leader.LeaseDuration, RenewDeadline: o.Leader.RenewDeadline, RetryPeriod: o.Leader.RetryPeriod,
		ReleaseOnCancel: true, Name: o.Leader.Name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) { leading <- ctx },
			OnStoppedLeading: func() { log.Info("stopped leading", "identity", id) },
		},
	})
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	log.Info("waiting for the leader lease", "lease", o.Namespace+"/"+o.Leader.Name, "identity", id)
	electorDone := make(chan struct{})
	go func() {
		defer close(electorDone)
		elector.Run(ctx)
	}()
	var runErr error
	select {
	case leadCtx := <-leading:
		log.Info("leading", "identity", id)
		runErr = o.runController(leadCtx, c)
		<-electorDone
	case <-electorDone:
	}
	if ctx.Err() != nil {
		return runErr
	}
	return errors.Join(errLostLease, runErr)
}

func (o *Options) runController(ctx context.Context, c clientSet) error {
	kvFactory := kvirtinformers.NewSharedInformerFactory(c.kvirt, 0)
	selector := informers.WithTweakListOptions(func(opts *metav1.ListOptions) { opts.LabelSelector = strategy.InstallSelector() })
	installFactory := informers.NewSharedInformerFactoryWithOptions(c.kube, 0, informers.WithNamespace(o.Namespace), selector)
	clusterFactory := informers.NewSharedInformerFactoryWithOptions(c.kube, 0, selector)
	applier, err := apply.New(c.dyn)
	if err != nil {
		return err
	}
	ctrl, err := reconcile.New(reconcile.Config{
		Kube: c.kube, Kvirt: c.kvirt, Applier: applier,
		KubeVirts:   kvFactory.Kubevirt().V1().KubeVirts(),
		Deployments: installFactory.Apps().V1().Deployments(),
		DaemonSets:  installFactory.Apps().V1().DaemonSets(),
		Watched: []cache.SharedIndexInformer{
			installFactory.Core().V1().Services().Informer(),
			installFactory.Core().V1().Secrets().Informer(),
			installFactory.Core().V1().ConfigMaps().Informer(),
			installFactory.Core().V1().ServiceAccounts().Informer(),
			clusterFactory.Admissionregistration().V1().ValidatingWebhookConfigurations().Informer(),
			clusterFactory.Admissionregistration().V1().MutatingWebhookConfigurations().Informer(),
		},
		Install: o.Install(), Validity: o.Validity,
		Version: version.Get().GitVersion, DegradedAfter: o.DegradedAfter,
	})
	if err != nil {
		return err
	}
	kvFactory.Start(ctx.Done())
	installFactory.Start(ctx.Done())
	clusterFactory.Start(ctx.Done())
	defer kvFactory.Shutdown()
	defer installFactory.Shutdown()
	defer clusterFactory.Shutdown()
	return ctrl.Run(ctx, 1)
}

func serveMetrics(ctx context.Context, wg *sync.WaitGroup, addr string) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			klog.FromContext(ctx).Error(err, "metrics server stopped")
		}
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	klog.FromContext(ctx).Info("serving metrics", "address", ln.Addr().String())
	return nil
}
