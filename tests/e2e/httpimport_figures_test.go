package e2e

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// figureSize is the size of the images TestDataVolumeHTTPImportFigures imports.
const figureSize = 1 << 30

// TestDataVolumeHTTPImportFigures (KVIRT_E2E_FIGURES=1 only) measures the
// throughput of DataVolume http imports of a 1 GiB raw image and of its qcow2
// conversion from the in-cluster server into Filesystem claims of the CSI
// hostpath driver, against cp (and an fsync) of the raw image on the same
// host filesystem. The image is pseudo-random, so neither sparseness nor
// qcow2's unallocated clusters shortcut the copy. The import's time is the
// importer's own, from its "importing" to its "import done" log line (container
// runtime timestamps): no pod scheduling or claim provisioning in it; the
// DataVolume's creation to Succeeded is logged too.
func TestDataVolumeHTTPImportFigures(t *testing.T) {
	if os.Getenv("KVIRT_E2E_FIGURES") != "1" {
		t.Skip("set KVIRT_E2E_FIGURES=1 to measure import throughput")
	}
	ns := newNamespace(t)
	srv := startHTTPServer(t, ns)
	raw := filepath.Join(srv.dir, "big.img")
	writePseudoRandom(t, raw, figureSize)
	if out, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, filepath.Join(srv.dir, "big.qcow2")).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert: %v\n%s", err, out)
	}
	if err := os.Chmod(filepath.Join(srv.dir, "big.qcow2"), 0o644); err != nil {
		t.Fatal(err)
	}
	cp := timeCopy(t, raw, filepath.Join(srv.dir, "big.copy"))
	t.Logf("cp + fsync of the 1 GiB raw image on the host: %.2fs, %.0f MiB/s", cp.Seconds(), mibps(cp))
	for _, c := range []struct{ name, file string }{{"big-raw", "big.img"}, {"big-qcow2", "big.qcow2"}} {
		importing, wall := timedImport(t, ns, c.name, srv.url+"/"+c.file)
		t.Logf("http import of %s (%s): importer %.2fs, %.0f MiB/s, %.2f of cp; DataVolume created to Succeeded %.1fs",
			c.file, fileSize(t, filepath.Join(srv.dir, c.file)), importing.Seconds(), mibps(importing), mibps(importing)/mibps(cp), wall.Seconds())
	}
}

func mibps(d time.Duration) float64 {
	return float64(figureSize) / (1 << 20) / d.Seconds()
}

// writePseudoRandom writes size bytes of a seeded ChaCha8 stream to path,
// readable by the server.
func writePseudoRandom(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644) //nolint:gosec // served to the cluster
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seed [32]byte
	if _, err := io.CopyN(f, rand.NewChaCha8(seed), size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// timeCopy is how long cp takes to copy src to dst and sync dst to disk; dst
// is removed afterwards. Everything written before (the image, its qcow2) is
// synced first, so that its writeback does not slow the copy.
func timeCopy(t *testing.T, src, dst string) time.Duration {
	t.Helper()
	if out, err := exec.Command("sync").CombinedOutput(); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	start := time.Now()
	if out, err := exec.Command("cp", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	if out, err := exec.Command("sync", dst).CombinedOutput(); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	d := time.Since(start)
	_ = os.Remove(dst)
	return d
}

// timedImport creates a DataVolume importing url into a Filesystem claim
// that fits 1 GiB, follows its importer's log to the end and returns the
// importer's time from "importing" to "import done", and the time from the
// DataVolume's creation to Succeeded.
func timedImport(t *testing.T, ns, name, url string) (time.Duration, time.Duration) {
	t.Helper()
	dv := &cdiv1beta1.DataVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: cdiv1beta1.DataVolumeSpec{
			Source: &cdiv1beta1.DataVolumeSource{HTTP: &cdiv1beta1.DataVolumeSourceHTTP{URL: url}},
			Storage: &cdiv1beta1.StorageSpec{
				VolumeMode: ptr.To(corev1.PersistentVolumeFilesystem),
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceStorage: resource.MustParse("1100Mi")}},
			},
		},
	}
	start := time.Now()
	if _, err := e.kvirt.CdiV1beta1().DataVolumes(ns).Create(ctx(t), dv, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create datavolume %s: %v", name, err)
	}
	imp := waitImporterRunning(t, ns, name, "")
	c, cancel := context.WithTimeout(ctx(t), 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(c, e.kubectl, "--kubeconfig", e.kubeconfig, "-n", ns,
		"logs", "-f", "--timestamps", imp.name).Output()
	if err != nil {
		t.Fatalf("kubectl logs -f %s: %v", imp.name, err)
	}
	waitDataVolume(t, ns, name, "Succeeded")
	wall := time.Since(start)
	begin, end := logTime(t, string(out), `"importing"`), logTime(t, string(out), `"import done"`)
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "downloaded for conversion") || strings.Contains(l, "converted to raw") {
			t.Logf("%s: %s", name, l)
		}
	}
	if err := e.kvirt.CdiV1beta1().DataVolumes(ns).Delete(ctx(t), name, metav1.DeleteOptions{}); err != nil {
		t.Errorf("delete datavolume %s: %v", name, err)
	}
	return end.Sub(begin), wall
}

// logTime is the container runtime's timestamp of the first log line that
// contains msg.
func logTime(t *testing.T, logs, msg string) time.Time {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		stamp, line, _ := strings.Cut(sc.Text(), " ")
		if !strings.Contains(line, msg) {
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			t.Fatalf("log timestamp %q: %v", stamp, err)
		}
		return ts
	}
	t.Fatalf("no log line %s in:\n%s", msg, logs)
	return time.Time{}
}
