package virtcontroller

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	"kvirt.io/kvirt/pkg/instancetype"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
	"kvirt.io/kvirt/pkg/virt-controller/metrics"
	"kvirt.io/kvirt/pkg/virt-controller/migration"
	"kvirt.io/kvirt/pkg/virt-controller/replicaset"
	"kvirt.io/kvirt/pkg/virt-controller/vm"
	"kvirt.io/kvirt/pkg/virt-controller/vmi"
)

// errLostLease ends the process when another instance took over: a deposed leader
// must not keep writing.
var errLostLease = errors.New("lost the leader lease")

// Run serves until ctx ends: metrics at once, the controllers while leading.
func (o *Options) Run(ctx context.Context) error {
	log := klog.FromContext(ctx)
	reg := metrics.New()
	cfg, err := o.Client.RESTConfig()
	if err != nil {
		return err
	}
	cfg.UserAgent = "virt-controller"
	cfg.Wrap(reg.WrapTransport)
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("kube client: %w", err)
	}
	kvirt, err := kvirtclient.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("kvirt client: %w", err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if o.MetricsAddress != "" {
		if err := serveMetrics(ctx, &wg, o.MetricsAddress, reg); err != nil {
			return err
		}
	}
	clients := clientSet{kube: kube, kvirt: kvirt}
	if !o.Leader.Enabled {
		return o.runControllers(ctx, clients, reg)
	}
	return o.lead(ctx, clients, reg, log)
}

type clientSet struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
}

func (o *Options) lead(ctx context.Context, c clientSet, reg *metrics.Registry, log klog.Logger) error {
	id := o.Leader.Identity
	if id == "" {
		host, _ := os.Hostname()
		id = fmt.Sprintf("%s_%d", host, os.Getpid())
	}
	// The elector runs OnStartedLeading on a goroutine it does not wait for, so the
	// callback only hands over the leading context and the controllers run here.
	leading := make(chan context.Context, 1)
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock: &resourcelock.LeaseLock{
			LeaseMeta:  metav1.ObjectMeta{Namespace: o.Leader.Namespace, Name: o.Leader.Name},
			Client:     c.kube.CoordinationV1(),
			LockConfig: resourcelock.ResourceLockConfig{Identity: id},
		},
		LeaseDuration:   o.Leader.LeaseDuration,
		RenewDeadline:   o.Leader.RenewDeadline,
		RetryPeriod:     o.Leader.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            o.Leader.Name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) { leading <- ctx },
			OnStoppedLeading: func() {
				reg.SetLeading(false)
				log.Info("stopped leading", "identity", id)
			},
		},
	})
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	log.Info("waiting for the leader lease", "lease", o.Leader.Namespace+"/"+o.Leader.Name, "identity", id)
	electorDone := make(chan struct{})
	go func() {
		defer close(electorDone)
		elector.Run(ctx)
	}()
	var runErr error
	select {
	case leadCtx := <-leading:
		log.Info("leading", "identity", id)
		reg.SetLeading(true)
		runErr = o.runControllers(leadCtx, c, reg)
		<-electorDone
	case <-electorDone:
	}
	if ctx.Err() != nil {
		return runErr
	}
	return errors.Join(errLostLease, runErr)
}

// runControllers starts the informers and every controller and returns when ctx
// ends and all of them stopped.
func (o *Options) runControllers(ctx context.Context, c clientSet, reg *metrics.Registry) error {
	virtFactory := kvirtinformers.NewSharedInformerFactory(c.kvirt, 0)
	podFactory := informers.NewSharedInformerFactoryWithOptions(c.kube, 0,
		informers.WithTweakListOptions(func(opts *metav1.ListOptions) {
			opts.LabelSelector = virtv1.AppLabel + "=" + launcherpod.LauncherAppValue
		}))
	vmis := virtFactory.Kubevirt().V1().VirtualMachineInstances()
	if err := reg.Register(metrics.NewPhaseCount(vmis.Lister())); err != nil {
		return fmt.Errorf("register phase count: %w", err)
	}
	vmiCtrl, err := vmi.New(vmi.Config{
		Kube: c.kube, Kvirt: c.kvirt, VMIs: vmis, Pods: podFactory.Core().V1().Pods(),
		Pod: o.Pod, Recorder: reg, QueueMetrics: reg.QueueMetrics(),
	})
	if err != nil {
		return err
	}
	vmCtrl, err := vm.New(vm.Config{
		Kvirt: c.kvirt, VMs: virtFactory.Kubevirt().V1().VirtualMachines(), VMIs: vmis,
		Resolver: &instancetype.Resolver{Kube: c.kube, Kvirt: c.kvirt}, QueueMetrics: reg.QueueMetrics(),
	})
	if err != nil {
		return err
	}
	rsCtrl, err := replicaset.New(replicaset.Config{
		Kvirt: c.kvirt, ReplicaSets: virtFactory.Kubevirt().V1().VirtualMachineInstanceReplicaSets(), VMIs: vmis,
		QueueMetrics: reg.QueueMetrics(),
	})
	if err != nil {
		return err
	}
	migCtrl, err := migration.New(migration.Config{
		Kube: c.kube, Kvirt: c.kvirt, Migrations: virtFactory.Kubevirt().V1().VirtualMachineInstanceMigrations(),
		VMIs: vmis, Pods: podFactory.Core().V1().Pods(), Pod: o.Pod, QueueMetrics: reg.QueueMetrics(),
		Limits: migration.Limits{PerCluster: o.ParallelMigrationsPerCluster, OutboundPerNode: o.ParallelOutboundMigrationsPerNode},
	})
	if err != nil {
		return err
	}
	runs := []func(context.Context) error{
		func(ctx context.Context) error { return migCtrl.Run(ctx, o.MigrationWorkers) },
		func(ctx context.Context) error { return vmiCtrl.Run(ctx, o.VMIWorkers) },
		func(ctx context.Context) error { return vmCtrl.Run(ctx, o.VMWorkers) },
		func(ctx context.Context) error { return rsCtrl.Run(ctx, o.ReplicaSetWorkers) },
	}
	virtFactory.Start(ctx.Done())
	podFactory.Start(ctx.Done())
	defer virtFactory.Shutdown()
	defer podFactory.Shutdown()
	return runAll(ctx, runs)
}

// runAll runs every controller until ctx ends or one fails. A controller that
// stops because shutdown was requested (its error wraps context.Canceled while
// ctx is done, e.g. before its caches synced) is not a failure.
func runAll(parent context.Context, runs []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	errs := make(chan error, len(runs))
	for _, run := range runs {
		go func() { errs <- run(ctx) }()
	}
	var all []error
	for range runs {
		err := <-errs
		if err == nil || (parent.Err() != nil && errors.Is(err, context.Canceled)) {
			continue
		}
		all = append(all, err)
		cancel()
	}
	return errors.Join(all...)
}

func serveMetrics(ctx context.Context, wg *sync.WaitGroup, addr string, reg *metrics.Registry) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", reg.Handler())
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
