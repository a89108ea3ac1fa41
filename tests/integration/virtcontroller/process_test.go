package virtcontroller

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// controllerBinary builds cmd/virt-controller once per test binary into _out/test-bin.
func controllerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		_, self, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(self), "..", "..", "..")
		binPath = filepath.Join(root, "_out", "test-bin", "virt-controller")
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("go is not on PATH: %w", err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool, "build", "-o", binPath, "./cmd/virt-controller")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build virt-controller: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a virt-controller started by a test.
type process struct {
	cmd     *exec.Cmd
	metrics string
	log     string
	done    chan struct{}
}

// startProcess runs the virt-controller binary with the test kubeconfig, a metrics
// address of its own and the extra flags; it is stopped when the test ends.
func startProcess(t *testing.T, extra ...string) *process {
	t.Helper()
	p := &process{metrics: freeAddress(t), log: filepath.Join(t.TempDir(), "virt-controller.log"), done: make(chan struct{})}
	out, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--kubeconfig", controllerKubeconfig(), "--metrics-bind-address", p.metrics, "--log-json=false"}, extra...)
	p.cmd = exec.Command(controllerBinary(t), args...)
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start virt-controller: %v", err)
	}
	go func() { _ = p.cmd.Wait(); _ = out.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.stop(syscall.SIGTERM)
		if t.Failed() {
			if raw, err := os.ReadFile(p.log); err == nil {
				t.Logf("virt-controller %d log tail:\n%s", p.cmd.Process.Pid, tail(string(raw), 40))
			}
		}
	})
	eventually(t, 30*time.Second, "virt-controller /healthz", func() error {
		_, err := p.scrape("/healthz")
		return err
	})
	return p
}

// stop signals the process and waits for it (killing it after 15 s).
func (p *process) stop(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *process) scrape(path string) (string, error) {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + p.metrics + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", path, resp.Status)
	}
	return string(raw), nil
}

// rssKiB reads the resident set size and its peak from /proc.
func (p *process) rssKiB() (rss, peak int64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = n
		case "VmHWM:":
			peak = n
		}
	}
	return rss, peak
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// metricValue sums the samples of a metric whose labels contain every given
// label="value" pair, from Prometheus text output.
func metricValue(text, name string, labels ...string) float64 {
	var sum float64
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(line, l) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}
