package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/poll"
)

// upstreamImportURL is the URL upstream's vm-alpine-datavolume example names;
// the test points it at its own server.
const upstreamImportURL = "http://cdi-http-import-server.kubevirt/images/alpine.iso"

// multiPVCClaims are the two claims vm-alpine-multipvc names, made as
// DataVolumes: the guest's disk imported over http (%[1]s the URL) and a blank
// disk.
const multiPVCClaims = `apiVersion: cdi.kubevirt.io/v1beta1
kind: DataVolume
metadata:
  name: disk-alpine
spec:
  source:
    http:
      url: %[1]s
  storage:
    resources:
      requests: {storage: 256Mi}
---
apiVersion: cdi.kubevirt.io/v1beta1
kind: DataVolume
metadata:
  name: disk-custom
spec:
  source:
    blank: {}
  storage:
    resources:
      requests: {storage: 64Mi}
`

// TestUpstreamDataVolumeExamples: upstream's vm-alpine-datavolume, its
// dataVolumeTemplate's URL swapped for a file the in-cluster server does not
// have yet, shows DataVolumeError with the importer's reason while the import
// retries; once the file is published the import finishes and the VM starts
// and boots from its claim. vm-alpine-multipvc (its two claims made as
// DataVolumes) boots too. Deleting the VMs deletes the DataVolume the first
// owns and leaves the second's claims. Start-to-Running times of these
// claim-backed VMs and of the containerDisk test VM are logged (figures, not
// judged).
func TestUpstreamDataVolumeExamples(t *testing.T) {
	ns := newNamespace(t)
	srv := startHTTPServer(t, ns)
	dv := strings.ReplaceAll(example(t, "vm-alpine-datavolume.yaml"), upstreamImportURL, srv.url+"/alpine.img")
	if out, errOut, err := kubectl(t, dv, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm-alpine-datavolume: %v\n%s%s", err, out, errOut)
	}
	poll.Eventually(t, 4*time.Minute, "VM DataVolumeError with the importer's reason", func() error {
		s := jsonpath(t, ns, "vm", "vm-alpine-datavolume", "{.status.printableStatus}")
		events, _, _ := kubectl(t, "", "-n", ns, "get", "events", "--field-selector",
			"involvedObject.name=vm-alpine-datavolume,reason=FailedDataVolumeImport", "-o", "jsonpath={.items[*].message}")
		if s != "DataVolumeError" || !strings.Contains(events, "404") {
			return fmt.Errorf("printableStatus %q, FailedDataVolumeImport events %q", s, events)
		}
		return nil
	})
	srv.publish(t, srv.raw, "alpine.img")
	waitDataVolumeSucceeded(t, ns, "alpine-dv")
	bootExample(t, ns, "vm-alpine-datavolume")

	if out, errOut, err := kubectl(t, fmt.Sprintf(multiPVCClaims, srv.url+"/disk.img"), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply claims: %v\n%s%s", err, out, errOut)
	}
	waitDataVolumeSucceeded(t, ns, "disk-alpine")
	waitDataVolumeSucceeded(t, ns, "disk-custom")
	if out, errOut, err := kubectl(t, example(t, "vm-alpine-multipvc.yaml"), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm-alpine-multipvc: %v\n%s%s", err, out, errOut)
	}
	bootExample(t, ns, "vm-alpine-multipvc")
	if out, errOut, err := kubectl(t, example(t, "vm-testguest.yaml"), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm-testguest: %v\n%s%s", err, out, errOut)
	}
	bootExample(t, ns, "testvm")

	if _, errOut, err := kubectl(t, "", "-n", ns, "delete", "vm", "vm-alpine-datavolume", "vm-alpine-multipvc"); err != nil {
		t.Fatalf("kubectl delete vm: %v\n%s", err, errOut)
	}
	poll.Eventually(t, 3*time.Minute, "the owned DataVolume deleted with its VM", func() error {
		if _, _, err := kubectl(t, "", "-n", ns, "get", "datavolume", "alpine-dv"); err == nil {
			return fmt.Errorf("alpine-dv still there")
		}
		return nil
	})
	for _, claim := range []string{"disk-alpine", "disk-custom"} {
		if p := jsonpath(t, ns, "pvc", claim, "{.status.phase}"); p != "Bound" {
			t.Errorf("claim %s not owned by the VM: phase %q after the VM was deleted, want Bound", claim, p)
		}
	}
}

// waitDataVolumeSucceeded waits for the DataVolume's import to finish.
func waitDataVolumeSucceeded(t *testing.T, ns, name string) {
	t.Helper()
	poll.Eventually(t, 5*time.Minute, "DataVolume "+name+" Succeeded", func() error {
		if p := jsonpath(t, ns, "datavolume", name, "{.status.phase}"); p != "Succeeded" {
			return fmt.Errorf("phase %q", p)
		}
		return nil
	})
}

// bootExample starts the Halted example VM, logs how long it took to run,
// and waits for the guest to boot.
func bootExample(t *testing.T, ns, vm string) {
	t.Helper()
	started := time.Now()
	virtctlIn(t, ns, "start", vm)
	waitRunning(t, ns, vm)
	t.Logf("figure: %s Running %.1f s after virtctl start", vm, time.Since(started).Seconds())
	consoleUntil(t, ns, vm, markerBooted)
}
