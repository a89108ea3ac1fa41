package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/poll"
)

// importerPod runs kvirt.local/importer once the way the DataVolume
// controller's contract says (docs/importer.md): UID 107, no capabilities, a
// read-only root filesystem. %[1]s name, %[2]s image, %[3]s args (a YAML flow
// list's items), %[4]s the container's volumeMounts/volumeDevices lines,
// %[5]s the pod's volumes lines.
const importerPod = `apiVersion: v1
kind: Pod
metadata:
  name: %[1]s
spec:
  restartPolicy: Never
  securityContext:
    runAsUser: 107
    runAsGroup: 107
    fsGroup: 107
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: importer
    image: %[2]s
    imagePullPolicy: Never
    args: [%[3]s]
    securityContext:
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
%[4]s
  volumes:
%[5]s
`

func runImporterPod(t *testing.T, ns, name, args, mounts, volumes string) {
	t.Helper()
	ref, err := imageRef(e.root, "importer")
	if err != nil {
		t.Fatalf("%v (hack/build-images.sh importer; cluster-sync builds it)", err)
	}
	manifest := fmt.Sprintf(importerPod, name, ref, args, mounts, volumes)
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply importer pod %s: %v\n%s%s", name, err, out, errOut)
	}
}

// waitPodPhase waits for a pod that runs to completion to reach phase.
func waitPodPhase(t *testing.T, ns, name, phase string) {
	t.Helper()
	poll.Eventually(t, 4*time.Minute, "pod "+name+" "+phase, func() error {
		got := jsonpath(t, ns, "pod", name, "{.status.phase}")
		if got == phase {
			return nil
		}
		if got == "Succeeded" || got == "Failed" {
			msg := jsonpath(t, ns, "pod", name, "{.status.containerStatuses[0].state.terminated.message}")
			t.Fatalf("pod %s ended %s, want %s: %s", name, got, phase, msg)
		}
		return fmt.Errorf("phase %q", got)
	})
}

// TestImporterImage: the importer image, run as the DataVolume controller
// runs it, fills a Filesystem claim with a blank disk, clones it into a Block
// claim, and reports an unreachable source as a failed pod whose termination
// message gives the reason.
func TestImporterImage(t *testing.T) {
	ns := newNamespace(t)
	applyClaim(t, ns, "blank", "Filesystem", "")
	runImporterPod(t, ns, "import-blank",
		`--source=blank, --dest=/data/disk.img, "--image-size=67108864", --progress-listen=`,
		"    volumeMounts: [{name: dest, mountPath: /data}]",
		"  - {name: dest, persistentVolumeClaim: {claimName: blank}}")
	waitPodPhase(t, ns, "import-blank", "Succeeded")

	applyClaim(t, ns, "clone", "Block", "")
	runImporterPod(t, ns, "import-clone",
		`--source=pvc, --source-path=/source/disk.img, --dest=/dev/cdi-block-volume`,
		"    volumeMounts: [{name: source, mountPath: /source, readOnly: true}]\n"+
			"    volumeDevices: [{name: dest, devicePath: /dev/cdi-block-volume}]",
		"  - {name: source, persistentVolumeClaim: {claimName: blank, readOnly: true}}\n"+
			"  - {name: dest, persistentVolumeClaim: {claimName: clone}}")
	waitPodPhase(t, ns, "import-clone", "Succeeded")

	applyClaim(t, ns, "unreachable", "Filesystem", "")
	runImporterPod(t, ns, "import-unreachable",
		`--source=http, "--endpoint=http://127.0.0.1:1/disk.img", --dest=/data/disk.img, `+
			`"--image-size=67108864", --attempts=2, --backoff=1s`,
		"    volumeMounts: [{name: dest, mountPath: /data}]",
		"  - {name: dest, persistentVolumeClaim: {claimName: unreachable}}")
	waitPodPhase(t, ns, "import-unreachable", "Failed")
	msg := jsonpath(t, ns, "pod", "import-unreachable", "{.status.containerStatuses[0].state.terminated.message}")
	if !strings.Contains(msg, "Unable to connect to http data source") {
		t.Fatalf("termination message %q, want the connection failure", msg)
	}
}
