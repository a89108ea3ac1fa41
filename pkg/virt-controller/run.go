package virtcontroller

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	virtinformers "kvirt.io/client-go/generated/informers/externalversions/core/v1"
	"kvirt.io/kvirt/pkg/instancetype"
	"kvirt.io/kvirt/pkg/leader"
	"kvirt.io/kvirt/pkg/logverbosity"
	"kvirt.io/kvirt/pkg/metricsserver"
	"kvirt.io/kvirt/pkg/virt-controller/launcherpod"
	"kvirt.io/kvirt/pkg/virt-controller/metrics"
	"kvirt.io/kvirt/pkg/virt-controller/migration"
	"kvirt.io/kvirt/pkg/virt-controller/node"
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
	wg.Add(1)
	go func() {
		defer wg.Done()
		logverbosity.Watch(ctx, logverbosity.Config{Client: kvirt, Component: logverbosity.VirtController})
	}()
	if o.MetricsAddress != "" {
		if err := metricsserver.Serve(ctx, &wg, o.MetricsAddress, reg.Handler()); err != nil {
			return err
		}
		reg.SetReady(true)
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
	vms := virtFactory.Kubevirt().V1().VirtualMachines()
	migs := virtFactory.Kubevirt().V1().VirtualMachineInstanceMigrations()
	if err := registerVMIMetrics(reg, vmis, vms, migs); err != nil {
		return err
	}
	kubeFactory := informers.NewSharedInformerFactory(c.kube, 0)
	dataVolumes, err := vmDataVolumes(ctx, c.kube.Discovery(), virtFactory)
	if err != nil {
		return err
	}
	vmiCtrl, err := vmi.New(vmi.Config{
		Kube: c.kube, Kvirt: c.kvirt, VMIs: vmis, Pods: podFactory.Core().V1().Pods(),
		Pod: o.Pod, QueueMetrics: reg.QueueMetrics(), Events: events,
		Claims: kubeFactory.Core().V1().PersistentVolumeClaims(), DataVolumes: dataVolumes,
	})
	if err != nil {
		return err
	}
	vmCtrl, err := vm.New(vm.Config{
		Kube: c.kube, Kvirt: c.kvirt, VMs: vms, VMIs: vmis,
		Resolver: &instancetype.Resolver{Kube: c.kube, Kvirt: c.kvirt}, QueueMetrics: reg.QueueMetrics(),
		Events: events, DataVolumes: dataVolumes,
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
		Kube: c.kube, Kvirt: c.kvirt, Migrations: migs,
		VMIs: vmis, Pods: podFactory.Core().V1().Pods(), Pod: o.Pod, QueueMetrics: reg.QueueMetrics(),
		Limits:   migration.Limits{PerCluster: o.ParallelMigrationsPerCluster, OutboundPerNode: o.ParallelOutboundMigrationsPerNode},
		Policies: migrationPolicies(virtFactory, kubeFactory),
	})
	if err != nil {
		return err
	}
	nodeCtrl, err := node.New(node.Config{
		Kube: c.kube, Kvirt: c.kvirt, Nodes: kubeFactory.Core().V1().Nodes(), VMIs: vmis,
		HeartbeatTimeout: o.HeartbeatTimeout, QueueMetrics: reg.QueueMetrics(), Events: events,
	})
	if err != nil {
		return err
	}
	dvRun, err := o.dataVolumeController(c, virtFactory, kubeFactory, reg, events)
	if err != nil {
		return err
	}
	runs := []func(context.Context) error{
		func(ctx context.Context) error { return migCtrl.Run(ctx, o.MigrationWorkers) },
		func(ctx context.Context) error { return vmiCtrl.Run(ctx, o.VMIWorkers) },
		func(ctx context.Context) error { return vmCtrl.Run(ctx, o.VMWorkers) },
		func(ctx context.Context) error { return rsCtrl.Run(ctx, o.ReplicaSetWorkers) },
		func(ctx context.Context) error { return nodeCtrl.Run(ctx, o.NodeWorkers) },
	}
	if dvRun != nil {
		runs = append(runs, dvRun)
	}
	virtFactory.Start(ctx.Done())
	podFactory.Start(ctx.Done())
	kubeFactory.Start(ctx.Done())
	defer virtFactory.Shutdown()
	defer podFactory.Shutdown()
	defer kubeFactory.Shutdown()
	return runAll(ctx, runs)
}

// migrationPolicies reads MigrationPolicies, namespace labels and the KubeVirt
// CR's migration settings from informers of the two factories.
func migrationPolicies(virtFactory kvirtinformers.SharedInformerFactory, kubeFactory informers.SharedInformerFactory) migration.Policies {
	policies := virtFactory.Migrations().V1alpha1().MigrationPolicies()
	namespaces := kubeFactory.Core().V1().Namespaces()
	kvs := virtFactory.Kubevirt().V1().KubeVirts()
	return migration.Policies{Policies: policies.Lister(), Namespaces: namespaces.Lister(), KubeVirts: kvs.Lister(),
		Synced: []cache.InformerSynced{policies.Informer().HasSynced, namespaces.Informer().HasSynced, kvs.Informer().HasSynced}}
}

// registerVMIMetrics registers the phase count, inventory and migration collectors and
// observes every phase transition the VMI informer sees, including Running,
// which virt-handler writes. The collectors are unregistered first so that a
// second leadership term registers them again.
func registerVMIMetrics(reg *metrics.Registry, vmis virtinformers.VirtualMachineInstanceInformer,
	vms virtinformers.VirtualMachineInformer, migs virtinformers.VirtualMachineInstanceMigrationInformer) error {
	for _, c := range []prometheus.Collector{metrics.NewPhaseCount(vmis.Lister()), metrics.NewInventory(vmis.Lister(), vms.Lister()),
		metrics.NewMigrations(migs.Lister())} {
		reg.Unregister(c)
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register vmi metrics: %w", err)
		}
	}
	_, err := vmis.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{UpdateFunc: func(o, n any) {
		old, okOld := o.(*virtv1.VirtualMachineInstance)
		cur, okNew := n.(*virtv1.VirtualMachineInstance)
		if okOld && okNew {
			reg.ObserveTransitions(old, cur)
		}
	}})
	if err != nil {
		return fmt.Errorf("watch vmi phase transitions: %w", err)
	}
	return nil
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
