package e2e

import (
	"fmt"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/poll"
)

// dvTemplateVM is an Always VM of the test guest whose third disk (vdc) is a
// blank DataVolume from its dataVolumeTemplates, on the default StorageClass.
// %[1]s is the guest's containerDisk image, %[2]s the user data.
const dvTemplateVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: dvvm
spec:
  runStrategy: Always
  dataVolumeTemplates:
  - metadata:
      name: dvvm-data
    spec:
      source:
        blank: {}
      storage:
        resources:
          requests: {storage: 128Mi}
  template:
    spec:
      domain:
        devices:
          disks:
          - name: containerdisk
            disk: {bus: virtio}
          - name: cloudinitdisk
            disk: {bus: virtio}
          - name: data
            disk: {bus: virtio}
        resources:
          requests:
            memory: 128Mi
      terminationGracePeriodSeconds: 5
      volumes:
      - name: containerdisk
        containerDisk:
          image: %[1]s
      - name: cloudinitdisk
        cloudInitNoCloud:
          userData: |
%[2]s      - name: data
        dataVolume:
          name: dvvm-data
`

// TestVMDataVolumeTemplate: a VM's dataVolumeTemplate becomes a DataVolume
// owned by the VM, which kvirt's DataVolume controller imports (blank); the VMI
// starts once it Succeeded, reports DataVolumesReady and the claim in
// volumeStatus, and the guest writes the disk; deleting the VM deletes the
// DataVolume. Needs virt-operator to install the CDI CRDs and run the
// DataVolume controller.
func TestVMDataVolumeTemplate(t *testing.T) {
	if _, errOut, err := kubectl(t, "", "get", "crd", "datavolumes.cdi.kubevirt.io"); err != nil {
		t.Fatalf("no DataVolume API (virt-operator installs manifests/cdi-crds and runs the DataVolume controller): %v\n%s", err, errOut)
	}
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, fmt.Sprintf(dvTemplateVM, e.guestDisk, indent(pvcScript, "            ")),
		"-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm: %v\n%s%s", err, out, errOut)
	}
	poll.Eventually(t, time.Minute, "DataVolume owned by the VM", func() error {
		kind, errOut, err := kubectl(t, "", "-n", ns, "get", "datavolume", "dvvm-data", "-o", "jsonpath={.metadata.ownerReferences[0].kind}")
		if err != nil {
			return fmt.Errorf("get datavolume: %w: %s", err, errOut)
		}
		if kind != "VirtualMachine" {
			return fmt.Errorf("owner kind %q", kind)
		}
		return nil
	})
	poll.Eventually(t, 5*time.Minute, "DataVolume Succeeded", func() error {
		if p := jsonpath(t, ns, "datavolume", "dvvm-data", "{.status.phase}"); p != "Succeeded" {
			return fmt.Errorf("phase %q, vm %q", p, jsonpath(t, ns, "vm", "dvvm", "{.status.printableStatus}"))
		}
		return nil
	})
	waitRunning(t, ns, "dvvm")
	consoleUntil(t, ns, "dvvm", markerBooted, "KVIRT-PVC WRITTEN")
	if s := jsonpath(t, ns, "vmi", "dvvm", `{.status.conditions[?(@.type=="DataVolumesReady")].status}`); s != "True" {
		t.Errorf("DataVolumesReady %q", s)
	}
	if c := jsonpath(t, ns, "vmi", "dvvm", `{.status.volumeStatus[?(@.name=="data")].persistentVolumeClaimInfo.claimName}`); c != "dvvm-data" {
		t.Errorf("volumeStatus claimName %q", c)
	}
	if s := jsonpath(t, ns, "vm", "dvvm", "{.status.printableStatus}"); s != "Running" {
		t.Errorf("printableStatus %q", s)
	}
	if _, errOut, err := kubectl(t, "", "-n", ns, "delete", "vm", "dvvm", "--wait=false"); err != nil {
		t.Fatalf("kubectl delete vm: %v\n%s", err, errOut)
	}
	poll.Eventually(t, 3*time.Minute, "DataVolume deleted with its VM", func() error {
		if _, _, err := kubectl(t, "", "-n", ns, "get", "datavolume", "dvvm-data"); err == nil {
			return fmt.Errorf("still there")
		}
		return nil
	})
}
