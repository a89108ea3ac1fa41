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

// TestUpstreamDataVolumeExamples: upstream's vm-alpine-datavolume (its
// dataVolumeTemplate's URL swapped for the test guest's disk on an in-cluster
// server) and vm-alpine-multipvc (its two claims made as DataVolumes) start
// with virtctl and boot the guest from their claims.
func TestUpstreamDataVolumeExamples(t *testing.T) {
	ns := newNamespace(t)
	srv := startHTTPServer(t, ns)
	dv := strings.ReplaceAll(example(t, "vm-alpine-datavolume.yaml"), upstreamImportURL, srv.url+"/disk.img")
	if out, errOut, err := kubectl(t, dv, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm-alpine-datavolume: %v\n%s%s", err, out, errOut)
	}
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

// bootExample starts the Halted example VM and waits for the guest to boot.
func bootExample(t *testing.T, ns, vm string) {
	t.Helper()
	virtctlIn(t, ns, "start", vm)
	waitRunning(t, ns, vm)
	consoleUntil(t, ns, vm, markerBooted)
}
