package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/finalizer"
	"kvirt.io/kvirt/pkg/virt-operator/status"
	"kvirt.io/kvirt/pkg/virt-operator/strategy"
)

// blockedRecheck is how often a blocked uninstall looks for remaining VMIs.
const blockedRecheck = 10 * time.Second

// uninstall removes what the install created (never VMIs or launcher pods; CRDs
// only with RemoveWorkloads) and then releases the KubeVirt's finalizer.
func (c *Controller) uninstall(ctx context.Context, kv *virtv1.KubeVirt) (time.Duration, error) {
	if !slices.Contains(kv.Finalizers, Finalizer) {
		return 0, nil
	}
	now := c.cfg.Now()
	if strategy.BlocksOnWorkloads(kv) {
		blocked, err := c.vmisExist(ctx)
		if err != nil {
			return 0, err
		}
		if blocked {
			return blockedRecheck, c.writeStatus(ctx, kv, status.Deleting(kv.Status, "VirtualMachineInstances", now))
		}
	}
	if err := c.writeStatus(ctx, kv, status.Deleting(kv.Status, "", now)); err != nil {
		return 0, err
	}
	install, err := c.installConfig(ctx) // the DataVolume CRDs only where they are this install's
	if err != nil {
		return 0, err
	}
	objs, err := strategy.Desired(kv, install)
	if err != nil {
		return 0, fmt.Errorf("render install: %w", err)
	}
	secrets, bundle := strategy.CertificateObjects(c.cfg.Install.Namespace)
	for _, s := range secrets {
		objs = append(objs, s)
	}
	objs = append(objs, bundle)
	retired, err := strategy.Retired(kv) // disabled common instancetypes: gone already, unless that failed
	if err != nil {
		return 0, err
	}
	objs = append(objs, retired...)
	objs = append(objs, strategy.Monitoring(kv, c.cfg.Install.Namespace)...) // a missing kind is no error
	var errs []error
	for _, o := range strategy.ToDelete(kv, objs) {
		if err := c.cfg.Applier.Delete(ctx, o); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	klog.FromContext(ctx).Info("install removed", "kubevirt", klog.KObj(kv), "uninstallStrategy", kv.Spec.UninstallStrategy)
	st := *kv.Status.DeepCopy()
	st.Phase = virtv1.KubeVirtPhaseDeleted
	if err := c.writeStatus(ctx, kv, st); err != nil {
		return 0, err
	}
	finalizer.Remove(kv, Finalizer)
	return 0, c.patchFinalizers(ctx, kv)
}

func (c *Controller) vmisExist(ctx context.Context) (bool, error) {
	l, err := c.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(metav1.NamespaceAll).List(ctx, metav1.ListOptions{Limit: 1})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("list vmis: %w", err)
	}
	return len(l.Items) > 0, nil
}
