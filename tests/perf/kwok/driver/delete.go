package driver

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// deleteAll deletes the run's objects with parallel per-object deletes (owners
// first, then every VMI directly rather than waiting for the garbage collector)
// and waits until no VMI and no pod of the namespace is left, at most cfg.Timeout
// from start. It records the deletion time and reports whether all went.
func (r *run) deleteAll(ctx context.Context, start time.Time) (bool, error) {
	cfg := r.cfg
	v1 := cfg.Kvirt.KubevirtV1()
	background := metav1.DeletePropagationBackground
	opts := metav1.DeleteOptions{PropagationPolicy: &background}
	var err error
	switch cfg.Kind {
	case KindVMIRS:
		err = ignoreNotFound(v1.VirtualMachineInstanceReplicaSets(cfg.Namespace).Delete(ctx, "kwok-perf", opts))
	case KindVM, KindVMInstancetype:
		err = parallel(ctx, cfg.VMIs, cfg.Workers, 0, func(ctx context.Context, i int) error {
			return ignoreNotFound(v1.VirtualMachines(cfg.Namespace).Delete(ctx, Name(i), opts))
		})
	}
	if err != nil {
		return false, fmt.Errorf("delete owners: %w", err)
	}
	vmis := r.tracker.vmiList()
	err = parallel(ctx, len(vmis), cfg.Workers, 0, func(ctx context.Context, i int) error {
		return ignoreNotFound(v1.VirtualMachineInstances(cfg.Namespace).Delete(ctx, vmis[i].Name, opts))
	})
	if err != nil {
		return false, fmt.Errorf("delete vmis: %w", err)
	}
	gone, at := r.tracker.waitFor(ctx, start.Add(cfg.Timeout), func(_, vmis, pods int) bool { return vmis == 0 && pods == 0 })
	r.rep.DeleteSeconds, r.rep.DeleteTimedOut = at.Sub(start).Seconds(), !gone
	if cfg.Kind == KindVMInstancetype {
		it := cfg.Kvirt.InstancetypeV1beta1()
		err = ignoreNotFound(it.VirtualMachineInstancetypes(cfg.Namespace).Delete(ctx, InstancetypeName, metav1.DeleteOptions{}))
		if err == nil {
			err = ignoreNotFound(it.VirtualMachinePreferences(cfg.Namespace).Delete(ctx, InstancetypeName, metav1.DeleteOptions{}))
		}
	}
	return gone, err
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
