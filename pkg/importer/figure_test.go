package importer

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// figureEnv sets the image size of TestImportThroughputFigure in MiB; the
// issue's closing figure uses 1024:
//
//	KVIRT_IMPORTER_FIGURE_MIB=1024 go test -v -run TestImportThroughputFigure ./pkg/importer/
const figureEnv = "KVIRT_IMPORTER_FIGURE_MIB"

// writeDiskFile writes a raw image of mib MiB shaped as testDisk (half random
// data, half zero runs) without holding it in memory.
func writeDiskFile(t *testing.T, path string, mib int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := rand.New(rand.NewPCG(3, 4))
	chunk := make([]byte, 1<<20)
	zero := make([]byte, 1<<20)
	for i := 0; i < mib; i++ {
		b := zero
		if i%2 == 0 {
			for j := 0; j < len(chunk); j += 8 {
				v := r.Uint64()
				for k := 0; k < 8; k++ {
					chunk[j+k] = byte(v >> (8 * k))
				}
			}
			b = chunk
		}
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// timeCp is how long cp takes to copy src next to itself, synced like the
// importer syncs its destination.
func timeCp(t *testing.T, src string) time.Duration {
	t.Helper()
	dst := src + ".cp"
	_ = fileSum(t, src) // both runs read the source from the page cache
	unix.Sync()         // and start with no earlier writeback in flight
	start := time.Now()
	if b, err := exec.Command("cp", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, b)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	d := time.Since(start)
	_ = os.Remove(dst)
	return d
}

// TestImportThroughputFigure reports the import throughput of a raw and a
// qcow2 image served over plain http from the same disk, next to cp of the
// same file (the ratio is import time / cp time). No assertion on time.
func TestImportThroughputFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("figure only: skipped with -short")
	}
	needQemuImg(t)
	mib := 256
	if v := os.Getenv(figureEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive number of MiB", figureEnv, v)
		}
		mib = n
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "disk.raw")
	writeDiskFile(t, raw, mib)
	qcow2 := filepath.Join(dir, "disk.qcow2")
	if b, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, qcow2).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert: %v: %s", err, b)
	}
	want := fileSum(t, raw)
	for _, img := range []struct{ name, path string }{{"raw", raw}, {"qcow2", qcow2}} {
		srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
		o := fsOptions(t, SourceHTTP, int64(mib)<<20)
		o.Endpoint, o.ScratchDir = srv.URL+"/"+filepath.Base(img.path), dir
		o.Dest = filepath.Join(dir, "import-"+img.name+".img")
		cp := timeCp(t, img.path)
		_ = fileSum(t, img.path)
		unix.Sync()
		start := time.Now()
		if err := runImport(t, o); err != nil {
			t.Fatal(err)
		}
		imp := time.Since(start)
		srv.Close()
		if got := fileSum(t, o.Dest); got != want {
			t.Fatalf("%s import checksum %s, want %s", img.name, got, want)
		}
		st, _ := os.Stat(img.path)
		t.Logf("FIGURE import %s %d MiB (file %d MiB): import %.2fs (%.0f MiB/s of image), cp %.2fs, ratio import/cp %.2f",
			img.name, mib, st.Size()>>20, imp.Seconds(), float64(mib)/imp.Seconds(), cp.Seconds(), imp.Seconds()/cp.Seconds())
		_ = os.Remove(o.Dest)
	}
}
