package subresources

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	virtv1 "kvirt.io/api/core/v1"
)

const (
	// DefaultConsoleWait bounds how long one console request waits for its VMI
	// to run. Upstream's virt-api answers 400 at once and its clients (virtctl
	// console --timeout, 5 minutes by default) retry on 400 every second; kvirt
	// waits server-side too, so clients that do not retry connect as well, but
	// stays below kube-apiserver's 60 s timeout for requests that are not
	// upgraded yet and answers 400 afterwards, so upstream's clients keep
	// retrying until their own timeout.
	DefaultConsoleWait = 30 * time.Second
	// consoleRecheck is how often a waiting console request reads the VMI again
	// even without a watch event.
	consoleRecheck = 2 * time.Second

	msgNoSerialConsole = "No serial consoles are present."
	msgConsoleTimeout  = "Timeout trying to connect to the virtual machine instance"
)

// decideConsole says what the console route does with vmi now: refuse it (with
// upstream's answers: 400 "No serial consoles are present." for a VMI with
// autoattachSerialConsole false, 409 for a failed one, 400 for one that
// finished), connect to it (running on a node), or wait for it to get there.
func decideConsole(vmi *virtv1.VirtualMachineInstance) (ref *refusal, wait bool) {
	if a := vmi.Spec.Domain.Devices.AutoattachSerialConsole; a != nil && !*a {
		return badRequest(msgNoSerialConsole), false
	}
	switch {
	case vmi.Status.Phase == virtv1.Failed:
		return conflict("VMI is in failed status"), false
	case vmi.Status.Phase == virtv1.Succeeded:
		return badRequest("VMI is not running"), false
	case vmi.Status.Phase == virtv1.Running && vmi.Status.NodeName != "":
		return nil, false
	}
	return nil, true
}

// awaitConsole reads the VMI until it may be connected to or refused, waiting
// at most the console wait for one that is not running on a node yet.
func (s *Server) awaitConsole(ctx context.Context, t target) (*virtv1.VirtualMachineInstance, *refusal, error) {
	wait := s.cfg.ConsoleWait
	if wait <= 0 {
		wait = DefaultConsoleWait
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	vmis := s.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(t.namespace)
	for {
		vmi, err := vmis.Get(ctx, t.name, metav1.GetOptions{})
		if err != nil {
			if ctx.Err() != nil {
				return nil, badRequest(msgConsoleTimeout), nil
			}
			return nil, nil, fmt.Errorf("get vmi %s: %w", t.name, err)
		}
		ref, waiting := decideConsole(vmi)
		if !waiting {
			return vmi, ref, nil
		}
		if err := s.vmiChanged(ctx, vmi); err != nil {
			return nil, badRequest(msgConsoleTimeout), nil
		}
	}
}

// vmiChanged returns when vmi may have changed: a watch event after its
// resourceVersion, or consoleRecheck later (a watch that cannot be opened or
// ends only costs a re-read). It fails when ctx ends.
func (s *Server) vmiChanged(ctx context.Context, vmi *virtv1.VirtualMachineInstance) error {
	recheck := time.NewTimer(consoleRecheck)
	defer recheck.Stop()
	var events <-chan struct{}
	w, err := s.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Watch(ctx, metav1.ListOptions{
		FieldSelector:   fields.OneTermEqualSelector("metadata.name", vmi.Name).String(),
		ResourceVersion: vmi.ResourceVersion,
	})
	if err == nil {
		defer w.Stop()
		ch := make(chan struct{})
		go func() {
			for ev := range w.ResultChan() {
				if ev.Type != watch.Error {
					close(ch)
					return
				}
			}
		}()
		events = ch
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-events:
		return ctx.Err()
	case <-recheck.C:
		return nil
	}
}
