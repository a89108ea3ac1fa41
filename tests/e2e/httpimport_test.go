package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"kvirt.io/kvirt/tests/framework/poll"
)

// httpImportVM is an Always VM that boots the test guest from an http import
// of its raw disk (first disk, vda, instead of the containerDisk) and has a
// blank DataVolume as its third disk (vdc, where pvcScript writes and reads
// its marker), both from its dataVolumeTemplates. %[1]s is the disk's URL,
// %[2]s both DataVolumes' volume mode, %[3]s the user data.
const httpImportVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: httpvm
spec:
  runStrategy: Always
  dataVolumeTemplates:
  - metadata:
      name: httpvm-root
    spec:
      source:
        http: {url: '%[1]s'}
      storage:
        volumeMode: %[2]s
        resources:
          requests: {storage: 128Mi}
  - metadata:
      name: httpvm-data
    spec:
      source:
        blank: {}
      storage:
        volumeMode: %[2]s
        resources:
          requests: {storage: 128Mi}
  template:
    spec:
      domain:
        devices:
          disks:
          - name: root
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
      - name: root
        dataVolume:
          name: httpvm-root
      - name: cloudinitdisk
        cloudInitNoCloud:
          userData: |
%[3]s      - name: data
        dataVolume:
          name: httpvm-data
`

// TestDataVolumeHTTPImportBootAndPersist: a VM whose boot disk is an http
// import of the test guest's raw disk from an in-cluster server, and whose data
// disk is a blank DataVolume, boots from the imported claim; the guest's mark
// on the data disk is read back after the VM was stopped (its VMI gone) and
// started again. Once with Filesystem claims (disk.img), once with Block ones.
func TestDataVolumeHTTPImportBootAndPersist(t *testing.T) {
	for _, mode := range []string{"Filesystem", "Block"} {
		t.Run(mode, func(t *testing.T) { bootFromHTTPImport(t, mode) })
	}
}

func bootFromHTTPImport(t *testing.T, mode string) {
	ns := newNamespace(t)
	srv := startHTTPServer(t, ns)
	vm := fmt.Sprintf(httpImportVM, srv.url+"/disk.img", mode, indent(pvcScript, "            "))
	if out, errOut, err := kubectl(t, vm, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm: %v\n%s%s", err, out, errOut)
	}
	start := time.Now()
	waitDataVolume(t, ns, "httpvm-root", "Succeeded")
	t.Logf("http import of the %s disk (%s claim) Succeeded after %s", fileSize(t, srv.raw), mode, time.Since(start).Round(time.Second))
	for _, claim := range []string{"httpvm-root", "httpvm-data"} {
		if got := jsonpath(t, ns, "pvc", claim, "{.spec.volumeMode}"); got != mode {
			t.Errorf("claim %s volumeMode %q, want %s", claim, got, mode)
		}
	}
	waitRunning(t, ns, "httpvm")
	consoleUntil(t, ns, "httpvm", markerBooted, "KVIRT-PVC WRITTEN")

	virtctlIn(t, ns, "stop", "httpvm")
	waitVMIGone(t, ns, "httpvm")
	virtctlIn(t, ns, "start", "httpvm")
	waitRunning(t, ns, "httpvm")
	consoleUntil(t, ns, "httpvm", markerBooted, "KVIRT-PVC SEEN")
}

// TestDataVolumeFixedSourceSucceeds: an http import of a file the server does
// not have (404) reports the importer's reason on the Running condition and in
// ErrImportFailed Warning Events and is retried (restartCount grows, the phase
// stays a transfer phase); once the file is published under that name, the
// next attempt of the same, unchanged DataVolume Succeeds.
func TestDataVolumeFixedSourceSucceeds(t *testing.T) {
	ns := newNamespace(t)
	srv := startHTTPServer(t, ns)
	applyDataVolume(t, ns, "late", fmt.Sprintf("{http: {url: '%s/late.img'}}", srv.url), "Filesystem")
	poll.Eventually(t, 4*time.Minute, "two failed attempts counted", func() error {
		n, _ := strconv.Atoi(jsonpath(t, ns, "datavolume", "late", "{.status.restartCount}"))
		msg := jsonpath(t, ns, "datavolume", "late", `{.status.conditions[?(@.type=="Running")].message}`)
		if n < 2 || !strings.Contains(msg, "Unable to connect to http data source") || !strings.Contains(msg, "404") {
			return fmt.Errorf("restartCount %d, Running message %q", n, msg)
		}
		return nil
	})
	if phase := jsonpath(t, ns, "datavolume", "late", "{.status.phase}"); phase != "ImportScheduled" && phase != "ImportInProgress" {
		t.Errorf("phase %s while failing, want ImportScheduled or ImportInProgress", phase)
	}
	if r := jsonpath(t, ns, "datavolume", "late", `{.status.conditions[?(@.type=="Running")].reason}`); r != "Error" {
		t.Errorf("Running reason %q, want Error", r)
	}
	events, errOut, err := kubectl(t, "", "-n", ns, "get", "events",
		"--field-selector", "involvedObject.name=late,reason=ErrImportFailed", "-o", "jsonpath={.items[*].message}")
	if err != nil || !strings.Contains(events, "404") {
		t.Errorf("ErrImportFailed events %q: %v %s", events, err, errOut)
	}

	srv.publish(t, srv.raw, "late.img")
	fixed := time.Now()
	waitDataVolume(t, ns, "late", "Succeeded")
	t.Logf("Succeeded %s after the file was published, restartCount %s", time.Since(fixed).Round(time.Second),
		jsonpath(t, ns, "datavolume", "late", "{.status.restartCount}"))
	if r := jsonpath(t, ns, "datavolume", "late", `{.status.conditions[?(@.type=="Ready")].status}`); r != "True" {
		t.Errorf("Ready %q, want True", r)
	}
	if p := jsonpath(t, ns, "datavolume", "late", "{.status.progress}"); p != "100.0%" {
		t.Errorf("progress %q, want 100.0%%", p)
	}
	checkClaimHolds(t, ns, "late", srv.raw)
}

// TestDataVolumeImporterKilledResumes: the importer pod of an http import of
// the guest's qcow2 disk, served at about 1 MiB/s by slowCGI so the transfer
// lasts several seconds, is force-deleted while ImportInProgress; the
// controller starts the import again in a new pod, the DataVolume Succeeds and
// the claim's disk.img is the raw disk (then zeros up to the claim's image size).
func TestDataVolumeImporterKilledResumes(t *testing.T) {
	ns := newNamespace(t)
	srv := startHTTPServer(t, ns)
	applyDataVolume(t, ns, "resume", fmt.Sprintf("{http: {url: '%s/cgi-bin/slow?disk.qcow2'}}", srv.url), "Filesystem")
	first := waitImporterRunning(t, ns, "resume", "")
	waitDataVolume(t, ns, "resume", "ImportInProgress")
	// Let some of the download land in the importer's scratch space first.
	time.Sleep(2 * time.Second)
	logs, _, _ := kubectl(t, "", "-n", ns, "logs", first.name)
	midTransfer := !strings.Contains(logs, "downloaded for conversion")
	if _, errOut, err := kubectl(t, "", "-n", ns, "delete", "pod", first.name, "--grace-period=0", "--force"); err != nil {
		t.Fatalf("kubectl delete pod: %v\n%s", err, errOut)
	}
	t.Logf("importer killed %s after it started running, progress %s, download of the %s qcow2 still running: %v",
		time.Since(first.started).Round(100*time.Millisecond), jsonpath(t, ns, "datavolume", "resume", "{.status.progress}"),
		fileSize(t, srv.qcow2), midTransfer)
	second := waitImporterRunning(t, ns, "resume", first.uid)
	waitDataVolume(t, ns, "resume", "Succeeded")
	// A deleted pod is no failed attempt: restartCount stays 0 (omitted).
	t.Logf("a new importer (attempt annotation %q) ran; Succeeded %s after it started, restartCount %q",
		second.attempt, time.Since(second.started).Round(time.Second), jsonpath(t, ns, "datavolume", "resume", "{.status.restartCount}"))
	checkClaimHolds(t, ns, "resume", srv.raw)
}

// importer is one observed importer pod.
type importer struct {
	name    string
	uid     types.UID
	attempt string
	started time.Time
}

// waitImporterRunning waits for the DataVolume's importer pod, other than
// the one with UID old, to run its container.
func waitImporterRunning(t *testing.T, ns, dv string, old types.UID) importer {
	t.Helper()
	name := "importer-" + dv
	var got importer
	poll.Eventually(t, 3*time.Minute, "a new running "+name, func() error {
		p, err := e.kube.CoreV1().Pods(ns).Get(ctx(t), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.UID == old {
			return fmt.Errorf("still the old pod %s", old)
		}
		for _, cs := range p.Status.ContainerStatuses {
			if cs.State.Running != nil {
				got = importer{name: name, uid: p.UID, attempt: p.Annotations["kvirt.io/datavolume-attempt"], started: time.Now()}
				return nil
			}
		}
		return fmt.Errorf("phase %s, containers %+v", p.Status.Phase, p.Status.ContainerStatuses)
	})
	return got
}

// checkClaimHolds checks that the DataVolume claim's disk.img starts with the
// bytes of the raw image src and is zero after them: a pod on the claim
// reports its size and the SHA-256 of its first len(src) bytes and of all of
// it, compared with the same of src (padded with zeros) computed on the host.
func checkClaimHolds(t *testing.T, ns, claim, src string) {
	t.Helper()
	want, n := fileSHA256(t, src, 0)
	script := fmt.Sprintf("cd /data && /bin/busybox stat -c %%s disk.img && "+
		"/bin/busybox head -c %d disk.img | /bin/busybox sha256sum && /bin/busybox sha256sum disk.img", n)
	lines := strings.Fields(runOnClaimPod(t, ns, claim, script))
	if len(lines) != 5 {
		t.Fatalf("checksum pod printed %q", lines)
	}
	size, err := strconv.ParseInt(lines[0], 10, 64)
	if err != nil || size < n {
		t.Fatalf("disk.img is %q bytes, the source %d", lines[0], n)
	}
	if lines[1] != want {
		t.Errorf("sha256 of the claim's first %d bytes %s, of the source %s", n, lines[1], want)
	}
	if padded, _ := fileSHA256(t, src, size-n); lines[3] != padded {
		t.Errorf("sha256 of the claim's %d bytes %s, of the source padded with zeros %s", size, lines[3], padded)
	}
	t.Logf("claim %s: disk.img %d bytes, its first %d bytes sha256 %s as the source's", claim, size, n, want)
}

// runOnClaimPod runs script with busybox in a pod that mounts the claim
// read-only at /data, as the importer's user, and returns its output.
func runOnClaimPod(t *testing.T, ns, claim, script string) string {
	t.Helper()
	image, err := imageRef(e.root, "virt-launcher")
	if err != nil {
		t.Fatal(err)
	}
	name := "check-" + claim
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			SecurityContext: &corev1.PodSecurityContext{
				RunAsUser: ptr.To[int64](107), RunAsGroup: ptr.To[int64](107), FSGroup: ptr.To[int64](107), RunAsNonRoot: ptr.To(true),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name: "check", Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
				Command:      []string{"/bin/busybox", "sh", "-c", script},
				VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data", ReadOnly: true}},
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true),
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim, ReadOnly: true}}}},
		},
	}
	if _, err := e.kube.CoreV1().Pods(ns).Create(ctx(t), pod, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create pod %s: %v", name, err)
	}
	waitPodPhase(t, ns, name, string(corev1.PodSucceeded))
	out, errOut, err := kubectl(t, "", "-n", ns, "logs", name)
	if err != nil {
		t.Fatalf("kubectl logs %s: %v\n%s", name, err, errOut)
	}
	return out
}

// fileSize is the size of the file at path in MiB, for logs.
func fileSize(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%.1f MiB", float64(fi.Size())/(1<<20))
}
