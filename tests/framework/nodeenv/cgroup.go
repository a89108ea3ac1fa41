package nodeenv

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cgroupRoot is the test tree under the cgroup v2 hierarchy.
const cgroupRoot = "kvirt-node-tests"

// podCgroup creates a cgroup named pod<uid> (the kubelet's cgroupfs naming),
// so virt-handler's check that a socket's peer belongs to the pod passes for
// the tests' launchers. It is removed when the test ends.
func podCgroup(t testing.TB, podUID string) string {
	t.Helper()
	mnt := cgroup2Mount()
	if mnt == "" {
		t.Fatal("node tier needs a cgroup v2 hierarchy (none mounted)")
	}
	dir := filepath.Join(mnt, cgroupRoot, "pod"+podUID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create pod cgroup: %v", err)
	}
	t.Cleanup(func() {
		// Runs after the launcher's own cleanup (registered later) stopped it
		// and its children; the kernel may take a moment to empty the cgroup.
		deadline := time.Now().Add(10 * time.Second)
		for os.Remove(dir) != nil && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		_ = os.Remove(filepath.Dir(dir)) // fails while other tests' pods remain
	})
	return dir
}

// cgroup2Mount is where the cgroup v2 hierarchy is mounted, "" if nowhere.
func cgroup2Mount() string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ... mount-point ... - fstype source options
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields := strings.Fields(pre)
		if ok && strings.HasPrefix(post, "cgroup2 ") && len(fields) >= 5 {
			return fields[4]
		}
	}
	return ""
}
