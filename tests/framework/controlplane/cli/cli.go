package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"kvirt.io/kvirt/tests/framework/controlplane"
)

// Exit codes of Run.
const (
	exitOK         = 0
	exitError      = 1
	exitUsage      = 2
	exitNotRunning = 3 // status: not running (LSB convention)
)

// Default fixed ports of the detached control plane: unlikely to collide with a real
// cluster (6443, 2379), and tests use free ports so they can run alongside it.
const (
	defaultAPIServerPort  = 16443
	defaultEtcdClientPort = 12379
	defaultEtcdPeerPort   = 12380
)

const usage = `usage: kvirt-control-plane <up|down|status> [flags]

  up      start etcd + kube-apiserver detached (no-op when already running), install
          CRDs, print the kubeconfig path
  down    stop exactly the processes recorded in the work dir and remove its state
  status  print whether the control plane is running; exit code 3 when it is not
`

// options are the flags shared by every subcommand.
type options struct {
	workDir  string
	binDir   string
	crdDir   string
	skipCRDs bool
	ports    controlplane.Ports
	// apiserverFlags are extra kube-apiserver flags (--apiserver-flag, repeatable).
	apiserverFlags stringList
	flags          *flag.FlagSet
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, " ") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func newOptions(name string, stderr io.Writer) *options {
	o := &options{flags: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs := o.flags
	fs.SetOutput(stderr)
	fs.StringVar(&o.workDir, "work-dir", "_out/control-plane", "directory for certificates, data, logs, PID files and kubeconfig")
	fs.StringVar(&o.binDir, "bin-dir", "", "directory with etcd, kube-apiserver, kubectl (default: $"+controlplane.EnvBinDir+" or the pinned cache dir)")
	fs.StringVar(&o.crdDir, "crd-dir", "", "directory of CRD manifests to install (default: <repo>/manifests/crds)")
	fs.BoolVar(&o.skipCRDs, "skip-crds", false, "install no CRDs")
	fs.IntVar(&o.ports.APIServer, "apiserver-port", defaultAPIServerPort, "kube-apiserver port on 127.0.0.1")
	fs.IntVar(&o.ports.EtcdClient, "etcd-client-port", defaultEtcdClientPort, "etcd client port on 127.0.0.1")
	fs.IntVar(&o.ports.EtcdPeer, "etcd-peer-port", defaultEtcdPeerPort, "etcd peer port on 127.0.0.1")
	fs.Var(&o.apiserverFlags, "apiserver-flag", "extra kube-apiserver flag, e.g. --apiserver-flag=--v=2 (repeatable; applied when up starts the apiserver)")
	return o
}

// Run executes one subcommand and returns the process exit code.
// Flag errors and help go to stderr.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 {
		return exitUsage, errors.New(strings.TrimSpace(usage))
	}
	o := newOptions(args[0], stderr)
	if err := o.flags.Parse(args[1:]); err != nil {
		return exitUsage, err
	}
	if o.flags.NArg() > 0 {
		return exitUsage, fmt.Errorf("unexpected arguments %v\n%s", o.flags.Args(), usage)
	}
	switch args[0] {
	case "up":
		return up(ctx, o, stdout)
	case "down":
		if err := controlplane.Down(ctx, o.workDir); err != nil {
			return exitError, err
		}
		fmt.Fprintln(stdout, "control plane stopped")
		return exitOK, nil
	case "status":
		return status(ctx, o, stdout)
	default:
		return exitUsage, fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}
}

func up(ctx context.Context, o *options, stdout io.Writer) (int, error) {
	st, err := controlplane.Up(ctx, controlplane.Config{
		WorkDir:  o.workDir,
		BinDir:   o.binDir,
		CRDDir:   o.crdDir,
		SkipCRDs: o.skipCRDs,
		Ports:    o.ports,
		// Later flags win over the defaults.
		APIServerFlags: o.apiserverFlags,
	})
	if err != nil {
		return exitError, err
	}
	fmt.Fprintln(stdout, st.Kubeconfig)
	return exitOK, nil
}

func status(ctx context.Context, o *options, stdout io.Writer) (int, error) {
	st, err := controlplane.GetStatus(ctx, o.workDir)
	if err != nil {
		return exitError, err
	}
	if !st.Ready {
		fmt.Fprintf(stdout, "not running: %s (running: %v)\n", st.Problem, st.PIDs)
		return exitNotRunning, nil
	}
	kubeconfig, err := filepath.Abs(st.Kubeconfig)
	if err != nil {
		return exitError, fmt.Errorf("resolve kubeconfig: %w", err)
	}
	fmt.Fprintf(stdout, "running: etcd pid %d, kube-apiserver pid %d, kubeconfig %s\n",
		st.PIDs["etcd"], st.PIDs["kube-apiserver"], kubeconfig)
	return exitOK, nil
}
