package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"

	virtv1 "kvirt.io/api/core/v1"
)

// instancetypeVM names an instancetype and a preference and lists no disks or
// interfaces: both come from the volumes, the pod network and the preference.
const instancetypeVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: %[1]s
spec:
  runStrategy: Always
  instancetype:
    kind: %[2]s
    name: %[3]s
  preference:
    kind: %[4]s
    name: %[5]s
  template:
    spec:
      domain:
        devices: {}
      volumes:
      - name: containerdisk
        containerDisk:
          image: %[6]s
      - name: cloudinitdisk
        cloudInitNoCloud:
          userData: |
            #!/bin/sh
            echo 'printed from cloud-init userdata'
`

// small is 2 vCPUs and 128Mi; virtio prefers virtio disks and interfaces.
const instancetypeAndPreference = `apiVersion: instancetype.kubevirt.io/v1beta1
kind: %[1]s
metadata:
  name: %[2]s
spec:
  cpu:
    guest: 2
  memory:
    guest: 128Mi
---
apiVersion: instancetype.kubevirt.io/v1beta1
kind: %[3]s
metadata:
  name: %[4]s
spec:
  devices:
    preferredDiskBus: virtio
    preferredInterfaceModel: virtio
`

// TestInstancetypeExample applies a VM before the instancetype and preference it
// names (accepted, as upstream; the VM says why it waits), then them, and checks
// the VM starts with their settings and records ControllerRevisions. Once with
// the namespaced kinds, once with the cluster kinds.
func TestInstancetypeExample(t *testing.T) {
	for _, tc := range []struct{ name, instancetype, preference string }{
		{"namespaced", "VirtualMachineInstancetype", "VirtualMachinePreference"},
		{"cluster", "VirtualMachineClusterInstancetype", "VirtualMachineClusterPreference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := newNamespace(t)
			itName, prefName := "small", "virtio"
			if tc.name == "cluster" {
				suffix := rand.String(5)
				itName, prefName = "e2e-small-"+suffix, "e2e-virtio-"+suffix
			}
			vm := fmt.Sprintf(instancetypeVM, "itvm", tc.instancetype, itName, tc.preference, prefName, e.guestDisk)
			if out, errOut, err := kubectl(t, vm, "-n", ns, "apply", "-f", "-"); err != nil {
				t.Fatalf("a VM naming an instancetype that does not exist yet was refused: %v\n%s%s", err, out, errOut)
			}
			waitVMFailure(t, ns, "itvm", itName)

			refs := fmt.Sprintf(instancetypeAndPreference, tc.instancetype, itName, tc.preference, prefName)
			if out, errOut, err := kubectl(t, refs, "-n", ns, "apply", "-f", "-"); err != nil {
				t.Fatalf("apply instancetype and preference: %v\n%s%s", err, out, errOut)
			}
			if tc.name == "cluster" {
				t.Cleanup(func() {
					_, _, _ = kubectl(t, refs, "delete", "--ignore-not-found", "-f", "-")
				})
			}
			vmi := waitRunning(t, ns, "itvm")
			checkExpanded(t, vmi)
			checkRevisions(t, ns, "itvm")
			consoleUntil(t, ns, "itvm", markerBooted)
		})
	}
}

// waitVMFailure waits until the VM reports that its instancetype is missing.
func waitVMFailure(t *testing.T, ns, name, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last string
	for time.Now().Before(deadline) {
		vm, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx(t), name, metav1.GetOptions{})
		if err == nil {
			for _, c := range vm.Status.Conditions {
				if c.Type == virtv1.VirtualMachineFailure && c.Status == string(corev1.ConditionTrue) && strings.Contains(c.Message, want) {
					t.Logf("VM waits: %s: %s", c.Reason, c.Message)
					return
				}
			}
			last = fmt.Sprintf("conditions %+v", vm.Status.Conditions)
		} else {
			last = err.Error()
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("the VM does not say its instancetype %s is missing: %s", want, last)
}

func checkExpanded(t *testing.T, vmi *virtv1.VirtualMachineInstance) {
	t.Helper()
	d := vmi.Spec.Domain
	if d.CPU == nil || d.CPU.Sockets != 2 {
		t.Errorf("cpu %+v: want 2 sockets from the instancetype", d.CPU)
	}
	if d.Memory == nil || d.Memory.Guest == nil || d.Memory.Guest.String() != "128Mi" {
		t.Errorf("memory %+v: want guest 128Mi from the instancetype", d.Memory)
	}
	if len(d.Devices.Disks) != 2 {
		t.Errorf("disks %+v: want one per volume", d.Devices.Disks)
	}
	for _, disk := range d.Devices.Disks {
		if disk.Disk == nil || disk.Disk.Bus != virtv1.DiskBusVirtio {
			t.Errorf("disk %+v: want bus virtio from the preference", disk)
		}
	}
	if len(d.Devices.Interfaces) != 1 || d.Devices.Interfaces[0].Model != "virtio" {
		t.Errorf("interfaces %+v: want one virtio interface on the pod network", d.Devices.Interfaces)
	}
}

// checkRevisions: the VM's status names a ControllerRevision for the instancetype
// and the preference, and both exist.
func checkRevisions(t *testing.T, ns, name string) {
	t.Helper()
	vm, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for what, ref := range map[string]*virtv1.InstancetypeStatusRef{
		"instancetype": vm.Status.InstancetypeRef, "preference": vm.Status.PreferenceRef,
	} {
		if ref == nil || ref.ControllerRevisionRef == nil || ref.ControllerRevisionRef.Name == "" {
			t.Errorf("vm.status.%sRef %+v names no ControllerRevision", what, ref)
			continue
		}
		if _, err := e.kube.AppsV1().ControllerRevisions(ns).Get(ctx(t), ref.ControllerRevisionRef.Name, metav1.GetOptions{}); err != nil {
			t.Errorf("%s ControllerRevision %s: %v", what, ref.ControllerRevisionRef.Name, err)
		}
	}
}
