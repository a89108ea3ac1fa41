package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"kvirt.io/kvirt/tests/framework/poll"
)

// httpServerRoot holds the host directories the in-cluster http servers
// serve: the local cluster's only node is this machine.
const httpServerRoot = "/var/lib/kvirt-e2e-http"

// slowCGI streams the served file named by the query string at about 1 MiB/s
// (256 KiB, then a quarter of a second's pause), with its Content-Length, so
// that an import of the guest's disk (about 14 MiB as qcow2) lasts long
// enough to be interrupted.
// busybox httpd runs it for /cgi-bin/slow?<file>; busybox provides every
// command (the launcher image has no other userland).
const slowCGI = `#!/bin/busybox sh
f="/srv/${QUERY_STRING}"
size=$(/bin/busybox stat -c %s "$f") || exit 1
printf 'Content-Type: application/octet-stream\r\nContent-Length: %s\r\n\r\n' "$size"
n=$(( (size + 262143) / 262144 ))
i=0
while [ "$i" -lt "$n" ]; do
  /bin/busybox dd if="$f" bs=262144 skip="$i" count=1 2>/dev/null
  /bin/busybox usleep 250000
  i=$((i + 1))
done
`

// httpServer is busybox httpd in a pod of the test's namespace serving a host
// directory the test fills, behind a ClusterIP Service.
type httpServer struct {
	// dir is the host directory served as /.
	dir string
	// url is http://<ClusterIP> (the local cluster runs no cluster DNS).
	url string
	// raw and qcow2 are the test guest's bootable disk and its qcow2
	// conversion, served as /disk.img and /disk.qcow2.
	raw, qcow2 string
}

// startHTTPServer prepares the served directory (the guest's disk.img and
// disk.qcow2, the throttling CGI script, a "ready" page), starts the server
// pod and its Service, and waits until this host reaches it through the
// Service (kube-proxy's rules also apply to the node's own traffic).
func startHTTPServer(t *testing.T, ns string) *httpServer {
	t.Helper()
	dir := filepath.Join(httpServerRoot, ns)
	if err := os.MkdirAll(filepath.Join(dir, "cgi-bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	s := &httpServer{dir: dir, raw: filepath.Join(dir, "disk.img"), qcow2: filepath.Join(dir, "disk.qcow2")}
	s.publish(t, guestDiskImage(t), "disk.img")
	if out, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", s.raw, s.qcow2).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert: %v\n%s", err, out)
	}
	if err := os.Chmod(s.qcow2, 0o644); err != nil {
		t.Fatal(err)
	}
	//nolint:gosec // the CGI script must be executable by the server's user
	if err := os.WriteFile(filepath.Join(dir, "cgi-bin", "slow"), []byte(slowCGI), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ready"), []byte("ok\n"), 0o644); err != nil { //nolint:gosec // served to the cluster
		t.Fatal(err)
	}
	image, err := imageRef(e.root, "virt-launcher")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.kube.CoreV1().Pods(ns).Create(ctx(t), serverPod(image, dir), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create http server pod: %v", err)
	}
	svc, err := e.kube.CoreV1().Services(ns).Create(ctx(t), serverService(), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create http server service: %v", err)
	}
	s.url = "http://" + svc.Spec.ClusterIP
	poll.Eventually(t, serviceTimeout, "GET "+s.url+"/ready from the host", func() error {
		body, err := httpGet(t, s.url+"/ready")
		if err == nil && body != "ok\n" {
			err = fmt.Errorf("body %q", body)
		}
		return err
	})
	return s
}

// serverLabel selects the http server pod.
const serverLabel = "kvirt-e2e-http"

// serverPod runs busybox httpd from the launcher image on port 8080 as the
// launcher's unprivileged user, the host directory read-only at /srv.
func serverPod(image, dir string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "http", Labels: map[string]string{"app": serverLabel}},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers: []corev1.Container{{
				Name: "httpd", Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
				Command: []string{"/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/srv"},
				Ports:   []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
					HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 1},
				VolumeMounts: []corev1.VolumeMount{{Name: "srv", MountPath: "/srv", ReadOnly: true}},
				SecurityContext: &corev1.SecurityContext{
					RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](107), RunAsGroup: ptr.To[int64](107),
					AllowPrivilegeEscalation: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true),
					Capabilities:   &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
					SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				},
			}},
			Volumes: []corev1.Volume{{Name: "srv", VolumeSource: corev1.VolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: dir, Type: ptr.To(corev1.HostPathDirectory)}}}},
		},
	}
}

func serverService() *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "http"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": serverLabel},
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
}

// publish copies src into the served directory as name, readable by the
// server, through a temporary name so the server never serves half a file.
func (s *httpServer) publish(t *testing.T, src, name string) {
	t.Helper()
	dst := filepath.Join(s.dir, name)
	tmp := dst + ".part"
	if out, err := exec.Command("cp", "--sparse=always", src, tmp).CombinedOutput(); err != nil {
		t.Fatalf("cp %s: %v\n%s", src, err, out)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		t.Fatal(err)
	}
}

// httpGet is the body of GET url from this host (curl, with a short timeout).
func httpGet(t *testing.T, url string) (string, error) {
	t.Helper()
	out, err := exec.CommandContext(ctx(t), "curl", "-sS", "--fail", "--max-time", "5", url).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("curl %s: %w: %s", url, err, out)
	}
	return string(out), nil
}

// guestDisk caches hack/build-test-guest.sh's answer for the test binary.
var guestDisk struct {
	once sync.Once
	path string
	err  error
}

// guestDiskImage is the path of the test guest's raw bootable disk.img:
// hack/build-test-guest.sh prints its directory last (and does nothing more
// when the guest is up to date).
func guestDiskImage(t *testing.T) string {
	t.Helper()
	guestDisk.once.Do(func() {
		cmd := exec.Command("bash", filepath.Join(e.root, "hack/build-test-guest.sh"))
		cmd.Dir = e.root
		out, err := cmd.Output()
		if err != nil {
			guestDisk.err = fmt.Errorf("hack/build-test-guest.sh: %w", err)
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		guestDisk.path = filepath.Join(strings.TrimSpace(lines[len(lines)-1]), "disk.img")
		_, guestDisk.err = os.Stat(guestDisk.path)
	})
	if guestDisk.err != nil {
		t.Fatal(guestDisk.err)
	}
	return guestDisk.path
}

// fileSHA256 is the hex SHA-256 of the file at path followed by pad zero
// bytes, and the file's length.
func fileSHA256(t *testing.T, path string, pad int64) (string, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(h, zeros{}, pad); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
