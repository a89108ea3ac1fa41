package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// Status describes a detached control plane found in a work dir.
type Status struct {
	// PIDs of the recorded processes that are still running, by name.
	PIDs map[string]int
	// Kubeconfig is the admin kubeconfig path.
	Kubeconfig string
	// Ready is true when both processes run and the apiserver answers /readyz.
	Ready bool
	// Problem says why the control plane is not ready; empty when Ready.
	Problem string
}

// GetStatus inspects the detached control plane recorded in workDir.
func GetStatus(ctx context.Context, workDir string) (Status, error) {
	l, err := absLayout(workDir)
	if err != nil {
		return Status{}, err
	}
	st := Status{PIDs: map[string]int{}, Kubeconfig: l.kubeconfig}
	for _, name := range []string{etcdName, apiserverName} {
		p, err := adoptProcess(name, l.pidFile(name), l.dir)
		if err != nil {
			return st, err
		}
		if p == nil {
			st.Problem = name + " is not running"
			continue
		}
		st.PIDs[name] = p.pid
	}
	if st.Problem != "" {
		return st, nil
	}
	if err := readyz(ctx, l.kubeconfig); err != nil {
		st.Problem = err.Error()
		return st, nil
	}
	st.Ready = true
	return st, nil
}

// loadKubeconfig reads an admin kubeconfig written by Start, without the default
// client-side rate limit (5 QPS), which would make CRD waits crawl.
func loadKubeconfig(path string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	return cfg, nil
}

func readyz(ctx context.Context, kubeconfig string) error {
	cfg, err := loadKubeconfig(kubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	return apiserverReady(ctx, client)
}

// Up makes sure a detached control plane runs in cfg.WorkDir (required) and returns
// its status. When one is already ready it only (re)installs the CRDs; otherwise it
// stops whatever is left of a previous one and starts a fresh one that outlives this
// program, with PID files in cfg.WorkDir for Down.
func Up(ctx context.Context, cfg Config) (Status, error) {
	if cfg.WorkDir == "" {
		return Status{}, errors.New("up: work dir is required")
	}
	cfg.Detached = true
	log := klog.FromContext(ctx)
	st, err := GetStatus(ctx, cfg.WorkDir)
	if err != nil {
		return st, err
	}
	if st.Ready {
		log.Info("control plane already running", "kubeconfig", st.Kubeconfig, "pids", st.PIDs)
		return st, installCRDsFromKubeconfig(ctx, cfg, st.Kubeconfig)
	}
	if len(st.PIDs) > 0 {
		log.Info("replacing unhealthy control plane", "problem", st.Problem, "pids", st.PIDs)
	}
	if err := Down(ctx, cfg.WorkDir); err != nil {
		return st, err
	}
	cp, err := Start(ctx, cfg)
	if err != nil {
		return st, err
	}
	return Status{PIDs: cp.PIDs(), Kubeconfig: cp.KubeconfigPath(), Ready: true}, nil
}

func installCRDsFromKubeconfig(ctx context.Context, cfg Config, kubeconfig string) error {
	cfg, err := withDefaults(cfg)
	if err != nil || cfg.SkipCRDs {
		return err
	}
	restConfig, err := loadKubeconfig(kubeconfig)
	if err != nil {
		return err
	}
	_, err = InstallCRDs(ctx, restConfig, cfg.CRDDir, cfg.ReadyTimeout)
	return err
}

// Down stops the detached control plane recorded in workDir: exactly the processes
// named by its PID files (and only if their command line still points into workDir),
// verifies they are gone, and removes its state (PID files, certificates, etcd data,
// kubeconfig). Logs are kept. Down with nothing running is a no-op.
func Down(ctx context.Context, workDir string) error {
	l, err := absLayout(workDir)
	if err != nil {
		return err
	}
	log := klog.FromContext(ctx)
	for _, name := range []string{apiserverName, etcdName} { // apiserver first: it uses etcd
		p, err := adoptProcess(name, l.pidFile(name), l.dir)
		if err != nil {
			return err
		}
		if p != nil {
			log.Info("stopping", "process", name, "pid", p.pid)
			if err := p.stop(); err != nil {
				return err
			}
			if !p.waitReaped(reapWait) {
				log.Info("process exited but its parent has not reaped it yet", "process", name, "pid", p.pid)
			}
		}
	}
	var errs []error
	for _, path := range []string{
		l.pidFile(apiserverName), l.pidFile(etcdName), l.kubeconfig, l.pkiDir(), l.etcdData,
	} {
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", filepath.Base(path), err))
		}
	}
	return errors.Join(errs...)
}

func absLayout(workDir string) (layout, error) {
	dir, err := filepath.Abs(workDir)
	if err != nil {
		return layout{}, fmt.Errorf("resolve work dir: %w", err)
	}
	return newLayout(dir), nil
}
