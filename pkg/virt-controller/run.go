package virtcontroller

import (
	"context"
	"errors"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	"kvirt.io/kvirt/pkg/instancetype"
	"kvirt.io/kvirt/pkg/leader"
	"kvirt.io/kvirt/pkg/metricsserver"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
	"kvirt.io/kvirt/pkg/virt-controller/metrics"
	"kvirt.io/kvirt/pkg/virt-controller/migration"
	"kvirt.io/kvirt/pkg/virt-controller/replicaset"
	"kvirt.io/kvirt/pkg/virt-controller/vm"
	"kvirt.io/kvirt/pkg/virt-controller/vmi"
)

// Run serves until ctx ends: metrics at once, the controllers while leading.
func (o *Options) Run(ctx context.Context) error {
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
		if err := metricsserver.Serve(ctx, &wg, o.MetricsAddress, reg.Handler()); err != nil {
			return err
		}
	}
	clients := clientSet{kube: kube, kvirt: kvirt}
	if !o.Leader.Enabled {
		return o.runControllers(ctx, clients, reg)
	}
	return leader.Run(ctx, kube, o.Leader, reg.SetLeading, func(ctx context.Context) error {
		return o.runControllers(ctx, clients, reg)
	})
}

type clientSet struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
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
	events, stopEvents := eventRecorder(ctx, c.kube)
	defer stopEvents()
	if err := reg.Register(metrics.NewPhaseCount(vmis.Lister())); err != nil {
		return fmt.Errorf("register phase count: %w", err)
	}
	vmiCtrl, err := vmi.New(vmi.Config{
		Kube: c.kube, Kvirt: c.kvirt, VMIs: vmis, Pods: podFactory.Core().V1().Pods(),
		Pod: o.Pod, Recorder: reg, QueueMetrics: reg.QueueMetrics(), Events: events,
	})
	if err != nil {
		return err
	}
	vmCtrl, err := vm.New(vm.Config{
		Kube: c.kube, Kvirt: c.kvirt, VMs: virtFactory.Kubevirt().V1().VirtualMachines(), VMIs: vmis,
		Resolver: &instancetype.Resolver{Kube: c.kube, Kvirt: c.kvirt}, QueueMetrics: reg.QueueMetrics(),
		Events: events,
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
