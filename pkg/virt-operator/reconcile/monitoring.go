package reconcile

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

// monitoringWanted reports whether the monitoring objects belong in the install:
// the apiserver serves ServiceMonitors and PrometheusRules
// (monitoring.coreos.com/v1, served) and the monitoring namespace and account exist.
func (c *Controller) monitoringWanted(ctx context.Context, kv *virtv1.KubeVirt) (wanted, served bool, err error) {
	res, err := c.cfg.Kube.Discovery().ServerResourcesForGroupVersion(strategy.MonitoringGroupVersion)
	if apierrors.IsNotFound(err) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("discover %s: %w", strategy.MonitoringGroupVersion, err)
	}
	kinds := map[string]bool{}
	for _, r := range res.APIResources {
		kinds[r.Name] = true
	}
	if !kinds["servicemonitors"] || !kinds["prometheusrules"] {
		return false, false, nil
	}
	t := strategy.MonitoringTargetOf(kv)
	_, err = c.cfg.Kube.CoreV1().ServiceAccounts(t.Namespace).Get(ctx, t.Account, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return false, true, nil
	case err != nil:
		return false, true, fmt.Errorf("get monitoring account %s/%s: %w", t.Namespace, t.Account, err)
	}
	return true, true, nil
}

// syncMonitoring applies the monitoring objects while they are wanted and
// deletes them (a missing object is no error) once they are not; objects of the
// monitoring API cannot exist while it is not served and are not asked for.
func (c *Controller) syncMonitoring(ctx context.Context, kv *virtv1.KubeVirt) error {
	wanted, served, err := c.monitoringWanted(ctx, kv)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range strategy.Monitoring(kv, c.cfg.Install.Namespace) {
		switch {
		case wanted:
			errs = append(errs, c.cfg.Applier.Apply(ctx, o))
		case served || o.GetObjectKind().GroupVersionKind().GroupVersion().String() != strategy.MonitoringGroupVersion:
			errs = append(errs, c.cfg.Applier.Delete(ctx, o))
		}
	}
	return errors.Join(errs...)
}
