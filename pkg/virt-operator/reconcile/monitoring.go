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
// (monitoring.coreos.com/v1) and the monitoring namespace and account exist.
func (c *Controller) monitoringWanted(ctx context.Context, kv *virtv1.KubeVirt) (bool, error) {
	res, err := c.cfg.Kube.Discovery().ServerResourcesForGroupVersion(strategy.MonitoringGroupVersion)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("discover %s: %w", strategy.MonitoringGroupVersion, err)
	}
	served := map[string]bool{}
	for _, r := range res.APIResources {
		served[r.Name] = true
	}
	if !served["servicemonitors"] || !served["prometheusrules"] {
		return false, nil
	}
	t := strategy.MonitoringTargetOf(kv)
	_, err = c.cfg.Kube.CoreV1().ServiceAccounts(t.Namespace).Get(ctx, t.Account, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("get monitoring account %s/%s: %w", t.Namespace, t.Account, err)
	}
	return true, nil
}

// syncMonitoring applies the monitoring objects while they are wanted and
// deletes them (a missing kind or object is no error) once they are not.
func (c *Controller) syncMonitoring(ctx context.Context, kv *virtv1.KubeVirt) error {
	wanted, err := c.monitoringWanted(ctx, kv)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range strategy.Monitoring(kv, c.cfg.Install.Namespace) {
		if wanted {
			err = c.cfg.Applier.Apply(ctx, o)
		} else {
			err = c.cfg.Applier.Delete(ctx, o)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
