package driver

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"golang.org/x/time/rate"
)

// create makes the run's objects: cfg.VMIs VMIs or VMs, paced at cfg.Rate per
// second (unpaced at 0) by cfg.Workers parallel workers, or one VMIRS of that
// many replicas. An object that already exists counts as created.
func (r *run) create(ctx context.Context) error {
	cfg := r.cfg
	spec, err := VMISpec(cfg.Image, cfg.NodeSelector, cfg.Kind == KindVMInstancetype)
	if err != nil {
		return err
	}
	switch cfg.Kind {
	case KindVMIRS:
		rs := NewVMIRS(cfg.Namespace, "kwok-perf", spec, int32(cfg.VMIs))
		_, err := cfg.Kvirt.KubevirtV1().VirtualMachineInstanceReplicaSets(cfg.Namespace).Create(ctx, rs, metav1.CreateOptions{})
		return ignoreExists(err, "vmirs")
	case KindVMInstancetype:
		if err := r.createInstancetype(ctx); err != nil {
			return err
		}
	}
	one := func(ctx context.Context, i int) error {
		var err error
		switch cfg.Kind {
		case KindVMI:
			_, err = cfg.Kvirt.KubevirtV1().VirtualMachineInstances(cfg.Namespace).Create(ctx, NewVMI(cfg.Namespace, Name(i), spec), metav1.CreateOptions{})
		case KindVM, KindVMInstancetype:
			it := ""
			if cfg.Kind == KindVMInstancetype {
				it = InstancetypeName
			}
			_, err = cfg.Kvirt.KubevirtV1().VirtualMachines(cfg.Namespace).Create(ctx, NewVM(cfg.Namespace, Name(i), spec, it), metav1.CreateOptions{})
		}
		return ignoreExists(err, Name(i))
	}
	return parallel(ctx, cfg.VMIs, cfg.Workers, cfg.Rate, one)
}

func (r *run) createInstancetype(ctx context.Context) error {
	it, pref, err := NewInstancetype(r.cfg.Namespace, InstancetypeName)
	if err != nil {
		return err
	}
	c := r.cfg.Kvirt.InstancetypeV1beta1()
	_, err = c.VirtualMachineInstancetypes(r.cfg.Namespace).Create(ctx, it, metav1.CreateOptions{})
	if err := ignoreExists(err, "instancetype"); err != nil {
		return err
	}
	_, err = c.VirtualMachinePreferences(r.cfg.Namespace).Create(ctx, pref, metav1.CreateOptions{})
	return ignoreExists(err, "preference")
}

func ignoreExists(err error, what string) error {
	if err == nil || apierrors.IsAlreadyExists(err) {
		return nil
	}
	return fmt.Errorf("create %s: %w", what, err)
}

// parallel calls fn(ctx, i) for i in [0, n) on workers goroutines, starting at
// most perSecond calls a second (no pacing at 0), and returns the first error
// (after which no further calls start).
func parallel(ctx context.Context, n, workers int, perSecond float64, fn func(context.Context, int) error) error {
	limit := rate.NewLimiter(rate.Inf, 1)
	if perSecond > 0 {
		limit = rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		once     sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	for range max(workers, 1) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || limit.Wait(ctx) != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		// The caller's context ended (cancel above only follows an error).
		return fmt.Errorf("create: %w", ctx.Err())
	}
	return firstErr
}
