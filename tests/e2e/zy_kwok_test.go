package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKWOKDensitySmall is make perf-kwok's small variant: 300 VMIs on 30 KWOK
// nodes must all run and be deleted again. It first proves the run fails
// without the Stage that plays virt-handler: with only the delete Stage loaded,
// 5 VMIs never leave Scheduled and the driver exits 3 naming them. It judges no
// timing. It runs late (file name) because it moves virt-handler's DaemonSet
// placement and back, which rolls virt-handler twice; between its two runs
// only the VMI Stage controllers restart.
func TestKWOKDensitySmall(t *testing.T) {
	out := filepath.Join(e.root, "_out", "perf", "kwok-ci")
	kwok := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(context.Background(), filepath.Join(e.root, "hack", "kwok.sh"), args...)
		cmd.Env = append(os.Environ(), append(env, "KUBECONFIG="+e.kubeconfig)...)
		if raw, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("hack/kwok.sh %s: %v\n%s", strings.Join(args, " "), err, raw)
		}
	}
	t.Cleanup(func() {
		cmd := exec.CommandContext(context.Background(), filepath.Join(e.root, "hack", "kwok.sh"), "down")
		cmd.Env = append(os.Environ(), "KUBECONFIG="+e.kubeconfig)
		if raw, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("hack/kwok.sh down: %v\n%s", err, raw)
		}
	})
	kwok([]string{"KWOK_STAGES=" + filepath.Join(e.root, "hack", "kwok", "vmi-delete.yaml")}, "up", "30")
	raw, err := driver(t, out+"-no-stage", "-vmis", "5", "-timeout", "45s")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 || !strings.Contains(string(raw), "by phase map[Scheduled:5]") {
		t.Fatalf("without the VMI Stage the run must fail with 5 VMIs Scheduled (exit 3), got %v:\n%s", err, raw)
	}
	// Every Stage now: only the VMI Stage controllers restart. (A restarted
	// node and pod controller would take the nodes' leases over but leave pods
	// bound earlier Pending; it keeps running.)
	kwok(nil, "restage", "30")
	raw, err = driver(t, out, "-vmis", "300", "-timeout", "10m")
	if err != nil || !strings.Contains(string(raw), "all 300 Running after") {
		t.Fatalf("300 VMIs on 30 KWOK nodes: %v\n%s", err, raw)
	}
	t.Logf("%s", raw)
}

// driver runs tests/perf/kwok (built once: go run would turn its exit status 3
// into 1) against the cluster, writing to out.
func driver(t *testing.T, out string, args ...string) ([]byte, error) {
	t.Helper()
	bin := filepath.Join(e.root, "_out", "bin", "kwok-perf")
	build := exec.CommandContext(context.Background(), "go", "build", "-o", bin, "./tests/perf/kwok")
	build.Dir = e.root
	if raw, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./tests/perf/kwok: %v\n%s", err, raw)
	}
	cmd := exec.CommandContext(context.Background(), bin, append([]string{
		"-kubeconfig", e.kubeconfig, "-namespace", "kwok-ci", "-out", out}, args...)...)
	cmd.Dir = e.root
	return cmd.CombinedOutput()
}
