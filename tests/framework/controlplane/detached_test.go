package controlplane_test

import (
	"maps"
	"syscall"
	"testing"

	"kvirt.io/kvirt/tests/framework/controlplane"
)

// TestUpDown exercises the path of hack/control-plane.sh: Up starts a detached
// control plane, a second Up is a no-op, Down stops exactly its processes.
func TestUpDown(t *testing.T) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	binDir, err := controlplane.DefaultBinDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := controlplane.FindBinaries(binDir); err != nil {
		skipOrFail(t, err)
	}
	workDir := t.TempDir()
	cfg := controlplane.Config{WorkDir: workDir, BinDir: binDir, SkipCRDs: true} // free ports
	t.Cleanup(func() {
		if err := controlplane.Down(t.Context(), workDir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})

	first, err := controlplane.Up(t.Context(), cfg)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	second, err := controlplane.Up(t.Context(), cfg)
	if err != nil {
		t.Fatalf("second up: %v", err)
	}
	if !maps.Equal(first.PIDs, second.PIDs) || len(first.PIDs) != 2 {
		t.Errorf("second up changed the processes: %v then %v", first.PIDs, second.PIDs)
	}

	if err := controlplane.Down(t.Context(), workDir); err != nil {
		t.Fatalf("down: %v", err)
	}
	for name, pid := range first.PIDs {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("%s (pid %d) still exists after Down: kill(0) = %v", name, pid, err)
		}
	}
	st, err := controlplane.GetStatus(t.Context(), workDir)
	if err != nil || st.Ready || len(st.PIDs) != 0 {
		t.Errorf("status after down = %+v, %v; want not running", st, err)
	}
}
