package qemuimg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestInfoAndConvert(t *testing.T) {
	if _, err := exec.LookPath(Binary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("qemu-img is missing (install qemu-utils: make deps)")
		}
		t.Skip("qemu-img is missing: install qemu-utils (make deps) to run this test")
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "d.qcow2")
	if b, err := exec.Command(Binary, "create", "-f", "qcow2", img, "3M").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	ctx := context.Background()
	info, err := ReadInfo(ctx, img, "qcow2")
	if err != nil || info.VirtualSize != 3<<20 || info.Format != "qcow2" {
		t.Fatalf("ReadInfo = %+v, %v", info, err)
	}
	out := filepath.Join(dir, "d.raw")
	if err := Convert(ctx, img, "qcow2", out, false); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() != 3<<20 {
		t.Fatalf("converted: %v, %v", st, err)
	}
	_, err = ReadInfo(ctx, out, "qcow2")
	if err == nil || !strings.Contains(err.Error(), "qemu-img info") || !strings.Contains(err.Error(), "qcow2") {
		t.Fatalf("reading raw as qcow2: error %v, want qemu-img's reason", err)
	}
}
