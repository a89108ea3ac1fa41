package controlplane

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
)

// logTailLines is how much of a process log an error message quotes.
const logTailLines = 30

func (cp *ControlPlane) startEtcd(ctx context.Context, cfg Config) error {
	p, err := cp.launch(cfg, processSpec{
		name: etcdName, path: cp.binaries.Etcd, args: etcdArgs(cp.layout, cp.ports),
	})
	if err != nil {
		return err
	}
	cp.etcd = p
	client := &http.Client{Timeout: 2 * time.Second}
	return waitFor(ctx, cfg.ReadyTimeout, p, func(ctx context.Context) error {
		return etcdHealthy(ctx, client, cp.EtcdURL())
	})
}

func (cp *ControlPlane) startAPIServer(ctx context.Context, cfg Config) error {
	p, err := cp.launch(cfg, processSpec{
		name: apiserverName, path: cp.binaries.APIServer,
		args: apiserverArgs(cp.layout, cp.ports, cfg.APIServerFlags),
	})
	if err != nil {
		return err
	}
	cp.apiserver = p
	client, err := kubernetes.NewForConfig(cp.restConfig)
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	return waitFor(ctx, cfg.ReadyTimeout, p, func(ctx context.Context) error {
		return apiserverReady(ctx, client)
	})
}

// launch starts one process and, when detached, records its PID at once so that
// Down can clean up even if this program dies before the control plane is ready.
func (cp *ControlPlane) launch(cfg Config, spec processSpec) (*process, error) {
	spec.logPath = cp.layout.logFile(spec.name)
	spec.detached = cfg.Detached
	p, err := startProcess(spec)
	if err != nil {
		return nil, err
	}
	if cfg.Detached {
		if err := writePIDFile(cp.layout.pidFile(spec.name), p.pid); err != nil {
			return p, fmt.Errorf("%s: %w", spec.name, err)
		}
	}
	return p, nil
}

func etcdHealthy(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
	if err != nil {
		return fmt.Errorf("etcd health: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("etcd health: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return fmt.Errorf("etcd health: %w", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"health":"true"`) {
		return fmt.Errorf("etcd health: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

func apiserverReady(ctx context.Context, client kubernetes.Interface) error {
	reqCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(reqCtx)
	if err != nil {
		return fmt.Errorf("kube-apiserver /readyz: %w: %s", err, strings.TrimSpace(string(body)))
	}
	return nil
}

// waitFor polls check until it succeeds, p exits, ctx ends or timeout passes. Failures
// carry the last check error and the tail of p's log.
func waitFor(ctx context.Context, timeout time.Duration, p *process, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		if last = check(ctx); last == nil {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited before becoming ready (last check: %w); tail of %s:\n%s",
				p.name, last, p.logPath, logTail(p.logPath, logTailLines))
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s (last check: %w); tail of %s:\n%s",
				p.name, timeout, last, p.logPath, logTail(p.logPath, logTailLines))
		}
	}
}
