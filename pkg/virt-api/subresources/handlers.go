package subresources

import (
	"errors"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"

	virtv1 "kvirt.io/api/core/v1"
)

func asAPIStatus(err error, into *apierrors.APIStatus) bool { return errors.As(err, into) }

// refuse answers a refusal with a Status of its code. A refusal about a named
// VM is upstream's Conflict Status for resource virtualmachine.kubevirt.io.
func refuse(w http.ResponseWriter, r *refusal) {
	if r.code == http.StatusConflict && r.vm != "" {
		gr := schema.GroupResource{Group: virtv1.GroupName, Resource: "virtualmachine"}
		writeStatus(w, &apierrors.NewConflict(gr, r.vm, errors.New(r.msg)).ErrStatus)
		return
	}
	st := metav1.Status{Status: metav1.StatusFailure, Code: int32(r.code), Message: r.msg, Reason: metav1.StatusReasonConflict}
	switch r.code {
	case http.StatusBadRequest:
		st.Reason = metav1.StatusReasonBadRequest
	case http.StatusServiceUnavailable:
		st.Reason = metav1.StatusReasonServiceUnavailable
	}
	writeStatus(w, &st)
}

// lifecycle runs one decide function over the VM and its VMI and applies it.
func (s *Server) lifecycle(w http.ResponseWriter, req *http.Request, t target, dryRun []string,
	decide func(*virtv1.VirtualMachine, *virtv1.VirtualMachineInstance) (change, *refusal)) {
	// A concurrent write (virt-controller consuming a request, another user's
	// request) fails a guard: decide again on a fresh read rather than hand the
	// user a 409 they can do nothing about.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		vm, vmi, err := s.load(req.Context(), t)
		if err != nil {
			return err
		}
		c, ref := decide(vm, vmi)
		if ref != nil {
			ref.vm = vm.Name
			return ref
		}
		return s.apply(req.Context(), vm, vmi, c, dryRun)
	})
	var ref *refusal
	switch {
	case errors.As(err, &ref):
		refuse(w, ref)
	case err != nil:
		writeError(w, err)
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}

func (s *Server) start(w http.ResponseWriter, req *http.Request, t target) {
	opts := &virtv1.StartOptions{}
	if err := decodeBody(req, opts); err != nil {
		writeStatus(w, &apierrors.NewBadRequest(err.Error()).ErrStatus)
		return
	}
	paused := opts.Paused != nil && *opts.Paused
	s.lifecycle(w, req, t, opts.DryRun, func(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance) (change, *refusal) {
		return decideStart(vm, vmi, paused)
	})
}

func (s *Server) stop(w http.ResponseWriter, req *http.Request, t target) {
	opts := &virtv1.StopOptions{}
	if err := decodeBody(req, opts); err != nil {
		writeStatus(w, &apierrors.NewBadRequest(err.Error()).ErrStatus)
		return
	}
	s.lifecycle(w, req, t, opts.DryRun, func(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance) (change, *refusal) {
		return decideStop(vm, vmi, opts.GracePeriod)
	})
}

func (s *Server) restart(w http.ResponseWriter, req *http.Request, t target) {
	opts := &virtv1.RestartOptions{}
	if err := decodeBody(req, opts); err != nil {
		writeStatus(w, &apierrors.NewBadRequest(err.Error()).ErrStatus)
		return
	}
	s.lifecycle(w, req, t, opts.DryRun, func(vm *virtv1.VirtualMachine, vmi *virtv1.VirtualMachineInstance) (change, *refusal) {
		return decideRestart(vm, vmi, opts.GracePeriodSeconds)
	})
}

// migrate creates a VirtualMachineInstanceMigration for the running VMI of the
// addressed VM or VMI (they share the name).
func (s *Server) migrate(w http.ResponseWriter, req *http.Request, t target) {
	opts := &virtv1.MigrateOptions{}
	if err := decodeBody(req, opts); err != nil {
		writeStatus(w, &apierrors.NewBadRequest(err.Error()).ErrStatus)
		return
	}
	ctx := req.Context()
	vmi, err := s.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(t.namespace).Get(ctx, t.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && vmi.Status.Phase != virtv1.Running) {
		ref := conflict(msgVMNotRunning)
		ref.vm = t.name
		refuse(w, ref)
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	m := &virtv1.VirtualMachineInstanceMigration{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "kubevirt-migrate-vm-", Namespace: t.namespace},
		Spec:       virtv1.VirtualMachineInstanceMigrationSpec{VMIName: t.name, AddedNodeSelector: opts.AddedNodeSelector},
	}
	created, err := s.cfg.Kvirt.KubevirtV1().VirtualMachineInstanceMigrations(t.namespace).Create(ctx, m, metav1.CreateOptions{DryRun: opts.DryRun})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, created)
}
