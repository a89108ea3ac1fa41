package vmi

import (
	"errors"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/podplan"
	"kvirt.io/kvirt/pkg/network/podsetup"
)

// fakeNetwork plays podsetup.Ensure: it plans (and saves) unless given a
// stored plan, then fails with errs[call] if any.
type fakeNetwork struct {
	calls  int
	stored []*podplan.Plan
	errs   []error
}

func (f *fakeNetwork) Ensure(_ string, _ *virtv1.VirtualMachineInstance, stored *podplan.Plan, _ podsetup.Owner,
	save func(*podplan.Plan) error) (*podplan.Plan, error) {
	f.stored = append(f.stored, stored)
	call := f.calls
	f.calls++
	plan := stored
	if plan == nil {
		plan = &podplan.Plan{Interface: "default", Binding: podplan.Masquerade, Tap: "tap0", GuestMAC: "02:00:00:00:00:01"}
		if err := save(plan); err != nil {
			return nil, err
		}
	}
	if call < len(f.errs) && f.errs[call] != nil {
		return nil, f.errs[call]
	}
	return plan, nil
}

func masqueradeVMI() *virtv1.VirtualMachineInstance {
	vmi := scheduledVMI()
	vmi.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}}}
	return vmi
}

// TestSyncBuildsPodNetworkBeforeTheDomain: the binding is built before
// SyncVMI, which carries the tap; a failure in the middle is retried with the
// plan recorded before it, and the launcher is not synced meanwhile.
func TestSyncBuildsPodNetworkBeforeTheDomain(t *testing.T) {
	c, client, root := newTestController(t, masqueradeVMI(), "")
	netw := &fakeNetwork{errs: []error{errors.New("netlink: device busy")}}
	c.cfg.Network = netw
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	vmi, requeue := syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Scheduled || requeue != launcherWait || len(f.synced) != 0 {
		t.Fatalf("after a failed build: phase %s, requeue %s, SyncVMI calls %v", vmi.Status.Phase, requeue, f.synced)
	}
	if rec, _, _ := c.cfg.Store.Get("uid-1"); rec.PodNetwork == nil || rec.PodNetwork.Tap != "tap0" {
		t.Fatalf("plan not recorded before it was applied: %+v", rec)
	}
	vmi, _ = syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Running {
		t.Fatalf("phase %s, want Running", vmi.Status.Phase)
	}
	if netw.calls != 2 || netw.stored[0] != nil || netw.stored[1] == nil || netw.stored[1].Tap != "tap0" {
		t.Fatalf("Ensure calls %d with stored plans %v, want the recorded plan applied again", netw.calls, netw.stored)
	}
	if len(f.podIfaces) != 1 || f.podIfaces[0].Tap != "tap0" || f.podIfaces[0].Mac != "02:00:00:00:00:01" {
		t.Fatalf("SyncVMI pod interfaces = %v", f.podIfaces)
	}
}

// TestSyncFailsVMIWhosePodNetworkCannotBePlanned: a plan that can never be
// made fails the VMI with its reason instead of retrying forever.
func TestSyncFailsVMIWhosePodNetworkCannotBePlanned(t *testing.T) {
	c, client, root := newTestController(t, masqueradeVMI(), "")
	c.cfg.Network = &fakeNetwork{errs: []error{&podplan.Error{Err: errors.New("guest network overlaps the pod address")}}}
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	vmi, _ := syncAndGet(t, c, client)
	if vmi.Status.Phase != virtv1.Failed || len(f.synced) != 0 {
		t.Fatalf("phase %s, SyncVMI calls %v; want Failed without a sync", vmi.Status.Phase, f.synced)
	}
}
