package virtoperator

import (
	"context"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	"kvirt.io/kvirt/pkg/componentmetrics"
	"kvirt.io/kvirt/pkg/leader"
	"kvirt.io/kvirt/pkg/logverbosity"
	"kvirt.io/kvirt/pkg/metricsserver"
	"kvirt.io/kvirt/pkg/version"
	"kvirt.io/kvirt/pkg/virt-operator/apply"
	"kvirt.io/kvirt/pkg/virt-operator/certs"
	"kvirt.io/kvirt/pkg/virt-operator/csrsigner"
	"kvirt.io/kvirt/pkg/virt-operator/rbac"
	"kvirt.io/kvirt/pkg/virt-operator/reconcile"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

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
	wg.Add(1)
	go func() {
		defer wg.Done()
		logverbosity.Watch(ctx, logverbosity.Config{Client: c.kvirt, Component: logverbosity.VirtOperator})
	}()
	var status *componentmetrics.Status
	if o.MetricsAddress != "" {
		reg := prometheus.NewRegistry()
		if status, err = componentmetrics.Register(reg, "virt-operator", o.Leader.Enabled); err != nil {
			return err
		}
		if err := metricsserver.Serve(ctx, &wg, o.MetricsAddress, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})); err != nil {
			return err
		}
		status.SetReady(true)
	}
	if !o.Leader.Enabled {
		return o.runController(ctx, c)
	}
	lease := o.Leader
	lease.Namespace = o.Namespace
	return leader.Run(ctx, c.kube, lease, status.SetLeading, func(ctx context.Context) error { return o.runController(ctx, c) })
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
	signer, csrFactory, err := o.nodeAPISigner(c)
	if err != nil {
		return err
	}
	for _, f := range []interface {
		Start(<-chan struct{})
		Shutdown()
	}{kvFactory, installFactory, clusterFactory, csrFactory} {
		f.Start(ctx.Done())
		defer f.Shutdown()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	signerDone := make(chan error, 1)
	go func() { signerDone <- signer.Run(ctx, 1) }()
	err = ctrl.Run(ctx, 1)
	cancel()
	if serr := <-signerDone; err == nil {
		err = serr
	}
	return err
}

// nodeAPISigner is the controller of signer kubevirt.io/node-api with its
// informer factory (watching only that signer's requests), not yet started.
func (o *Options) nodeAPISigner(c clientSet) (*csrsigner.Controller, informers.SharedInformerFactory, error) {
	csrFactory := informers.NewSharedInformerFactoryWithOptions(c.kube, 0, informers.WithTweakListOptions(
		func(opts *metav1.ListOptions) { opts.FieldSelector = csrsigner.FieldSelector }))
	signer, err := csrsigner.New(csrsigner.Config{
		Kube: c.kube, CSRs: csrFactory.Certificates().V1().CertificateSigningRequests(),
		Policy:   csrsigner.Policy{Namespace: o.Namespace, ServiceAccount: rbac.HandlerName},
		CASecret: certs.CASecretName, Validity: o.Validity.Cert,
	})
	return signer, csrFactory, err
}
