package vmi

import (
	"errors"
	"fmt"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
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

func (f *fakeNetwork) Ensure(_ string, vmi *virtv1.VirtualMachineInstance, stored []*podplan.Plan, _ podsetup.Owner,
	save func([]*podplan.Plan) error) ([]*podplan.Plan, error) {
	var first *podplan.Plan
	if len(stored) > 0 {
		first = stored[0]
	}
	f.stored = append(f.stored, first)
	call := f.calls
	f.calls++
	plans := stored
	if len(plans) == 0 {
		for i, b := range podplan.BoundInterfaces(vmi) {
			plans = append(plans, &podplan.Plan{Interface: b.Iface.Name, Binding: podplan.Masquerade,
				PodInterface: b.PodInterface, Tap: multus.TapName(b.PodInterface), GuestMAC: fmt.Sprintf("02:00:00:00:00:%02x", i+1)})
		}
		if err := save(plans); err != nil {
			return nil, err
		}
	}
	if call < len(f.errs) && f.errs[call] != nil {
		return nil, f.errs[call]
	}
	return plans, nil
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
	if rec, _, _ := c.cfg.Store.Get("uid-1"); len(rec.Plans()) != 1 || rec.Plans()[0].Tap != "tap0" {
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

// TestSyncHandsTheLauncherEverySecondaryInterface: each bound interface's
// plan reaches the launcher, in spec order.
func TestSyncHandsTheLauncherEverySecondaryInterface(t *testing.T) {
	vmi := masqueradeVMI()
	vmi.Spec.Networks = append(vmi.Spec.Networks, virtv1.Network{Name: "secnet",
		Multus: &virtv1.MultusNetwork{NetworkName: "secnet"}})
	vmi.Spec.Domain.Devices.Interfaces = append(vmi.Spec.Domain.Devices.Interfaces,
		virtv1.Interface{Name: "secnet", Bridge: &virtv1.InterfaceBridge{}})
	c, client, root := newTestController(t, vmi, "")
	c.cfg.Network = &fakeNetwork{}
	f := &fakeLauncher{}
	serveLauncher(t, root, "pod-1", f)
	if got, _ := syncAndGet(t, c, client); got.Status.Phase != virtv1.Running {
		t.Fatalf("phase %s, want Running", got.Status.Phase)
	}
	if len(f.podIfaces) != 2 || f.podIfaces[0].Tap != "tap0" || f.podIfaces[1].Name != "secnet" ||
		f.podIfaces[1].Tap != "tap0dccfe60da3" {
		t.Fatalf("SyncVMI pod interfaces = %v", f.podIfaces)
	}
	if rec, _, _ := c.cfg.Store.Get("uid-1"); len(rec.PodNetworks) != 2 || rec.PodNetwork != nil {
		t.Fatalf("recorded plans = %+v", rec)
	}
}

// TestSyncReportsMultusNetworkStatus: the launcher pod's network-status
// annotation (Multus's) reaches status.interfaces through the pod informer.
func TestSyncReportsMultusNetworkStatus(t *testing.T) {
	vmi := masqueradeVMI()
	pod := launcherPod(vmi, "pod-1")
	pod.Annotations = map[string]string{multus.NetworkStatusAnnotation: `[{"name":"podnet","interface":"eth0","ips":["10.1.1.1"],"default":true}]`}
	c, client, dialer := newTestControllerWithPods(t, vmi, "", pod)
	serveLauncher(t, dialer.root, "pod-1", &fakeLauncher{})
	got, _ := syncAndGet(t, c, client)
	if len(got.Status.Interfaces) != 1 || got.Status.Interfaces[0].InfoSource != "domain, multus-status" ||
		got.Status.Interfaces[0].PodInterfaceName != "eth0" {
		t.Fatalf("status.interfaces = %+v", got.Status.Interfaces)
	}
}
