package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/finalizer"
	"kvirt.io/kvirt/pkg/virt-operator/certs"
	"kvirt.io/kvirt/pkg/virt-operator/status"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

func everything() labels.Selector { return labels.Everything() }

func finalizerPatch(kv *virtv1.KubeVirt) ([]byte, error) {
	fins := kv.Finalizers
	if fins == nil {
		fins = []string{}
	}
	b, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"finalizers": fins, "resourceVersion": kv.ResourceVersion,
	}})
	if err != nil {
		return nil, fmt.Errorf("marshal finalizer patch: %w", err)
	}
	return b, nil
}

// ignore reports on a KubeVirt that is not the active one.
func (c *Controller) ignore(ctx context.Context, kv, active *virtv1.KubeVirt) error {
	klog.FromContext(ctx).V(2).Info("ignoring kubevirt: another one is active", "kubevirt", klog.KObj(kv), "active", klog.KObj(active))
	if kv.DeletionTimestamp != nil {
		return nil
	}
	return c.writeStatus(ctx, kv, status.Ignored(kv.Status, kv.Generation, active.Namespace+"/"+active.Name, c.cfg.Now()))
}

// install applies the whole install for kv and reports its status.
func (c *Controller) install(ctx context.Context, kv *virtv1.KubeVirt) (time.Duration, error) {
	if finalizer.Add(kv, Finalizer) {
		if err := c.patchFinalizers(ctx, kv); err != nil {
			return 0, err
		}
	}
	now := c.cfg.Now()
	install, err := c.installConfig(ctx)
	if err != nil {
		return 0, err
	}
	plan, applyErr := c.applyAll(ctx, kv, install, now)
	in := status.Input{
		Previous: kv.Status, Generation: kv.Generation, Workloads: c.workloads(),
		Version: c.cfg.Version, Registry: strategy.Registry(kv, install.Images),
		DeploymentID: strategy.DeploymentID(kv, install), Now: now, DegradedAfter: c.cfg.DegradedAfter,
	}
	if applyErr != nil {
		in.ApplyError = applyErr.Error()
	}
	if err := c.writeStatus(ctx, kv, status.Installed(in)); err != nil {
		return 0, errors.Join(applyErr, err)
	}
	if applyErr != nil {
		return 0, applyErr
	}
	after := resync
	if !plan.NextRenewal.IsZero() {
		after = min(after, max(plan.NextRenewal.Sub(now), time.Second))
	}
	return after, nil
}

// applyAll issues the certificates and applies every object: the namespace first,
// then the certificates, then the rest of the strategy. It applies as much as it
// can and returns every failure.
func (c *Controller) applyAll(ctx context.Context, kv *virtv1.KubeVirt, install strategy.Config, now time.Time) (certs.Plan, error) {
	ns := install.Namespace
	nsObj, err := strategy.Desired(kv, install) // the namespace must exist to read certificates
	if err != nil {
		return certs.Plan{}, fmt.Errorf("render install: %w", err)
	}
	if err := c.cfg.Applier.Apply(ctx, nsObj[0]); err != nil {
		return certs.Plan{}, err
	}
	observed, err := c.observeCerts(ctx, ns)
	if err != nil {
		return certs.Plan{}, err
	}
	plan, err := certs.Desired(now, ns, c.cfg.Validity, observed)
	if err != nil {
		return certs.Plan{}, fmt.Errorf("issue certificates: %w", err)
	}
	install.CABundle = plan.CABundlePEM
	objs, err := strategy.Desired(kv, install)
	if err != nil {
		return plan, fmt.Errorf("render install: %w", err)
	}
	var certObjs []strategy.Object
	for _, s := range plan.Secrets {
		if s != nil {
			certObjs = append(certObjs, s)
		}
	}
	if plan.CABundle != nil {
		certObjs = append(certObjs, plan.CABundle)
	}
	strategy.Label(kv, certObjs...)
	var errs []error
	for _, o := range append(certObjs, objs[1:]...) {
		if err := c.cfg.Applier.Apply(ctx, o); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.syncMonitoring(ctx, kv))
	retired, err := strategy.Retired(kv)
	errs = append(errs, err)
	for _, o := range retired {
		if err := c.cfg.Applier.Delete(ctx, o); err != nil {
			errs = append(errs, err)
		}
	}
	return plan, errors.Join(errs...)
}

func (c *Controller) observeCerts(ctx context.Context, ns string) (certs.Observed, error) {
	get := func(name string) (*corev1.Secret, error) {
		s, err := c.cfg.Kube.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get secret %s/%s: %w", ns, name, err)
		}
		return s, nil
	}
	var (
		obs  certs.Observed
		errs []error
		err  error
	)
	for _, t := range []struct {
		dst  **corev1.Secret
		name string
	}{{&obs.CA, strategy.CAName}, {&obs.VirtAPI, strategy.VirtAPICertsName},
		{&obs.HandlerServer, strategy.HandlerServerCertsName}, {&obs.HandlerClient, strategy.HandlerClientCertsName},
		{&obs.UploadProxy, strategy.UploadProxyCertsName}} {
		*t.dst, err = get(t.name)
		errs = append(errs, err)
	}
	cm, err := c.cfg.Kube.CoreV1().ConfigMaps(ns).Get(ctx, strategy.CAName, metav1.GetOptions{})
	switch {
	case err == nil:
		obs.CABundle = cm
	case !apierrors.IsNotFound(err):
		errs = append(errs, fmt.Errorf("get configmap %s/%s: %w", ns, strategy.CAName, err))
	}
	return obs, errors.Join(errs...)
}

// workloads reads the components' readiness from the caches.
func (c *Controller) workloads() []status.Workload {
	ns := c.cfg.Install.Namespace
	api, _ := c.cfg.Deployments.Lister().Deployments(ns).Get(strategy.VirtAPI)
	ctrl, _ := c.cfg.Deployments.Lister().Deployments(ns).Get(strategy.VirtController)
	handler, _ := c.cfg.DaemonSets.Lister().DaemonSets(ns).Get(strategy.VirtHandler)
	return []status.Workload{
		status.FromDeployment(strategy.VirtAPI, api),
		status.FromDeployment(strategy.VirtController, ctrl),
		status.FromDaemonSet(strategy.VirtHandler, handler),
	}
}
