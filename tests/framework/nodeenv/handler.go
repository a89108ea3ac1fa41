package nodeenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// HandlerConfig describes one virt-handler process.
type HandlerConfig struct {
	Kubeconfig string
	NodeName   string
	// PodsDir is the fake kubelet pod directory (--kubelet-pods-dir).
	PodsDir  string
	StateDir string
	// NodeAPI, if set, serves the mutual-TLS node API on NodeAPIListen.
	NodeAPI       *PKI
	NodeAPIListen string
	// MetricsListen serves TLS /metrics (with the node API certificate);
	// empty picks a free port on 127.0.0.1 nobody scrapes.
	MetricsListen string
	// MetricsLauncherDeadline, when set, bounds a scrape's wait for launchers.
	MetricsLauncherDeadline time.Duration
}

// Handler is a running virt-handler process.
type Handler struct {
	Cmd  *exec.Cmd
	done chan struct{}
	log  *bytes.Buffer
	mu   *sync.Mutex
}

// StartHandler starts virt-handler with TCG and a fast heartbeat; it is
// stopped when the test ends.
func (e *Env) StartHandler(t testing.TB, cfg HandlerConfig) *Handler {
	t.Helper()
	args := []string{"--kubeconfig", cfg.Kubeconfig,
		"--node-name", cfg.NodeName, "--kubelet-pods-dir", cfg.PodsDir, "--state-dir", cfg.StateDir,
		"--accelerator", "tcg", "--heartbeat-interval", "2s", "--device-plugin-dir", "", "-v", "2"}
	metrics := cfg.MetricsListen
	if metrics == "" {
		metrics = "127.0.0.1:0"
	}
	args = append(args, "--metrics-listen", metrics)
	if cfg.MetricsLauncherDeadline > 0 {
		args = append(args, "--metrics-launcher-deadline", cfg.MetricsLauncherDeadline.String())
	}
	if cfg.NodeAPI != nil {
		args = append(args, "--node-api-listen", cfg.NodeAPIListen, "--node-api-cert", cfg.NodeAPI.ServerCert,
			"--node-api-key", cfg.NodeAPI.ServerKey, "--node-api-client-ca", cfg.NodeAPI.CAFile)
	}
	cmd := exec.Command(filepath.Join(e.BinDir, "virt-handler"), args...)
	h := &Handler{Cmd: cmd, done: make(chan struct{}), log: &bytes.Buffer{}, mu: &sync.Mutex{}}
	cmd.Stdout = lockedWriter{h.log, h.mu}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start virt-handler: %v", err)
	}
	go func() { _ = cmd.Wait(); close(h.done) }()
	t.Cleanup(func() {
		h.Stop(5 * time.Second)
		if t.Failed() {
			t.Logf("virt-handler (pid %d) log:\n%s", cmd.Process.Pid, h.Log())
		}
	})
	return h
}

// Log is the handler's output so far.
func (h *Handler) Log() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.log.String()
}

// Stop sends SIGTERM and kills the process after timeout.
func (h *Handler) Stop(timeout time.Duration) {
	select {
	case <-h.done:
		return
	default:
	}
	_ = h.Cmd.Process.Signal(os.Interrupt)
	select {
	case <-h.done:
	case <-time.After(timeout):
		_ = h.Cmd.Process.Kill()
		<-h.done
	}
}

// RSSKiB is the resident set size of a process, 0 if unknown.
func RSSKiB(pid int) int64 {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kib, _ := strconv.ParseInt(f[1], 10, 64)
			return kib
		}
	}
	return 0
}

// PSSKiB is the proportional set size of a process (shared pages divided among
// the processes mapping them), 0 if unknown.
func PSSKiB(pid int) int64 {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
			kib, _ := strconv.ParseInt(f[1], 10, 64)
			return kib
		}
	}
	return 0
}
