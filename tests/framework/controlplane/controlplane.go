package controlplane

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
)

// defaultReadyTimeout bounds the wait for etcd, /readyz and CRDs on a loaded machine.
const defaultReadyTimeout = 2 * time.Minute

// Config configures a control plane. The zero value starts one for tests: binaries
// from DefaultBinDir, CRDs from <repo>/manifests/crds, a temporary work dir and free
// ports, all bound to the context passed to Start.
type Config struct {
	// BinDir holds etcd, kube-apiserver and kubectl. Default: DefaultBinDir.
	BinDir string
	// CRDDir holds CRD manifests to install. Default: <repo>/manifests/crds. A missing
	// or empty directory installs nothing.
	CRDDir string
	// SkipCRDs installs no CRDs at all.
	SkipCRDs bool
	// WorkDir receives certificates, etcd data, logs, PID files and the kubeconfig.
	// Default: a new temporary directory that Stop removes. A given WorkDir is kept.
	WorkDir string
	// Ports to listen on, on 127.0.0.1; zero fields pick free ports.
	Ports Ports
	// Detached starts the processes in their own session, so they outlive the caller
	// and its context, and records their PIDs in WorkDir for Down.
	Detached bool
	// ReadyTimeout bounds each readiness wait. Default: 2 minutes.
	ReadyTimeout time.Duration
	// APIServerFlags are appended to the kube-apiserver flags (later flags win).
	APIServerFlags []string
}

// ControlPlane is a running etcd and kube-apiserver.
type ControlPlane struct {
	layout     layout
	ports      Ports
	binaries   Binaries
	restConfig *rest.Config
	removeDir  bool

	etcd      *process
	apiserver *process

	stopOnce sync.Once
	stopErr  error
	stopped  chan struct{}
}

// RESTConfig returns a copy of the admin (system:masters) client configuration.
func (cp *ControlPlane) RESTConfig() *rest.Config { return rest.CopyConfig(cp.restConfig) }

// KubeconfigPath is the admin kubeconfig written in the work dir.
func (cp *ControlPlane) KubeconfigPath() string { return cp.layout.kubeconfig }

// WorkDir holds certificates, etcd data, logs and the kubeconfig.
func (cp *ControlPlane) WorkDir() string { return cp.layout.dir }

// LogDir holds etcd.log and kube-apiserver.log.
func (cp *ControlPlane) LogDir() string { return cp.layout.logs }

// APIServerURL is the https URL of kube-apiserver.
func (cp *ControlPlane) APIServerURL() string { return cp.restConfig.Host }

// EtcdURL is the http URL of etcd's client endpoint.
func (cp *ControlPlane) EtcdURL() string { return loopbackURL("http", cp.ports.EtcdClient) }

// Binaries are the executables this control plane runs; Kubectl matches its version.
func (cp *ControlPlane) Binaries() Binaries { return cp.binaries }

// PIDs maps process name (etcd, kube-apiserver) to the PID this control plane started.
func (cp *ControlPlane) PIDs() map[string]int {
	pids := map[string]int{}
	for _, p := range []*process{cp.etcd, cp.apiserver} {
		if p != nil {
			pids[p.name] = p.pid
		}
	}
	return pids
}

// Start starts etcd and kube-apiserver, waits until the apiserver is ready, writes an
// admin kubeconfig and installs the CRDs. Unless cfg.Detached, cancelling ctx stops
// the control plane; call Stop in any case to release it.
func Start(ctx context.Context, cfg Config) (*ControlPlane, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	bins, err := FindBinaries(cfg.BinDir)
	if err != nil {
		return nil, err
	}
	cp, err := prepare(cfg, bins)
	if err != nil {
		return nil, err
	}
	if err := cp.boot(ctx, cfg); err != nil {
		return nil, errors.Join(err, cp.Stop())
	}
	if !cfg.Detached {
		go cp.stopOnCancel(ctx)
	}
	return cp, nil
}

// boot starts the processes and waits for them, then installs the CRDs.
func (cp *ControlPlane) boot(ctx context.Context, cfg Config) error {
	log := klog.FromContext(ctx)
	log.Info("starting etcd", "url", cp.EtcdURL(), "workDir", cp.layout.dir)
	if err := cp.startEtcd(ctx, cfg); err != nil {
		return err
	}
	log.Info("starting kube-apiserver", "url", cp.restConfig.Host)
	if err := cp.startAPIServer(ctx, cfg); err != nil {
		return err
	}
	if cfg.SkipCRDs {
		return nil
	}
	crds, err := InstallCRDs(ctx, cp.restConfig, cfg.CRDDir, cfg.ReadyTimeout)
	if err != nil {
		return err
	}
	log.Info("control plane ready", "kubeconfig", cp.layout.kubeconfig, "crds", len(crds))
	return nil
}

func withDefaults(cfg Config) (Config, error) {
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = defaultReadyTimeout
	}
	if cfg.BinDir != "" && (cfg.CRDDir != "" || cfg.SkipCRDs) {
		return cfg, nil // nothing to find in the repository
	}
	root, err := RepoRoot()
	if err != nil {
		return cfg, err
	}
	if cfg.BinDir == "" {
		if cfg.BinDir, err = DefaultBinDir(root); err != nil {
			return cfg, err
		}
	}
	if cfg.CRDDir == "" {
		cfg.CRDDir = filepath.Join(root, "manifests", "crds")
	}
	return cfg, nil
}

// prepare creates the work dir, certificates, kubeconfig and picks the ports.
func prepare(cfg Config, bins Binaries) (*ControlPlane, error) {
	cp := &ControlPlane{binaries: bins, stopped: make(chan struct{})}
	dir := cfg.WorkDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "kvirt-control-plane-")
		if err != nil {
			return nil, fmt.Errorf("create work dir: %w", err)
		}
		dir, cp.removeDir = tmp, true
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve work dir: %w", err)
	}
	cp.layout = newLayout(dir)
	if err := cp.prepareFiles(cfg); err != nil {
		return nil, errors.Join(err, cp.removeWorkDir())
	}
	return cp, nil
}

func (cp *ControlPlane) prepareFiles(cfg Config) error {
	for _, d := range []string{cp.layout.dir, cp.layout.logs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create work dir: %w", err)
		}
	}
	ports, err := resolvePorts(cfg.Ports)
	if err != nil {
		return err
	}
	cp.ports = ports
	_, creds, err := writePKI(cp.layout.pkiDir())
	if err != nil {
		return err
	}
	cp.restConfig = adminRESTConfig(loopbackURL("https", ports.APIServer), creds)
	return writeKubeconfig(cp.layout.kubeconfig, cp.restConfig)
}

// resolvePorts replaces zero ports with free ones and checks the given ones are free,
// so a collision is reported clearly instead of as a crashed process.
func resolvePorts(p Ports) (Ports, error) {
	for _, port := range []*int{&p.APIServer, &p.EtcdClient, &p.EtcdPeer} {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
		if err != nil {
			return p, fmt.Errorf("reserve port: %w", err)
		}
		*port = l.Addr().(*net.TCPAddr).Port
		if err := l.Close(); err != nil {
			return p, fmt.Errorf("release port %d: %w", *port, err)
		}
	}
	return p, nil
}

// Stop terminates the processes this control plane started (SIGTERM, then SIGKILL),
// waits until they are gone and removes the work dir if Start created it. It is safe
// to call more than once and from any goroutine.
func (cp *ControlPlane) Stop() error {
	cp.stopOnce.Do(func() {
		defer close(cp.stopped)
		var errs []error
		for _, p := range []*process{cp.apiserver, cp.etcd} { // apiserver first: it uses etcd
			if p != nil {
				errs = append(errs, p.stop())
			}
		}
		if err := errors.Join(errs...); err != nil {
			cp.stopErr = err // keep the work dir: its logs explain what survived
			return
		}
		for _, name := range []string{apiserverName, etcdName} {
			if err := os.Remove(cp.layout.pidFile(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove pid file: %w", err))
			}
		}
		errs = append(errs, cp.removeWorkDir())
		cp.stopErr = errors.Join(errs...)
	})
	return cp.stopErr
}

func (cp *ControlPlane) removeWorkDir() error {
	if !cp.removeDir {
		return nil
	}
	if err := os.RemoveAll(cp.layout.dir); err != nil {
		return fmt.Errorf("remove work dir: %w", err)
	}
	return nil
}

// stopOnCancel owns the control plane's lifetime: it stops it when ctx ends and
// returns as soon as it is stopped by anyone.
func (cp *ControlPlane) stopOnCancel(ctx context.Context) {
	select {
	case <-ctx.Done():
		if err := cp.Stop(); err != nil {
			klog.FromContext(ctx).Error(err, "stop control plane after context cancellation")
		}
	case <-cp.stopped:
	}
}
