package virtlauncher

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/virt-launcher/agent"
	"kvirt.io/kvirt/pkg/virt-launcher/cmdserver"
	"kvirt.io/kvirt/pkg/virt-launcher/console"
	"kvirt.io/kvirt/pkg/virt-launcher/credentials"
	"kvirt.io/kvirt/pkg/virt-launcher/libvirtdaemon"
	"kvirt.io/kvirt/pkg/virt-launcher/libvirtembed"
	"kvirt.io/kvirt/pkg/virt-launcher/podnet"
	"kvirt.io/kvirt/pkg/virt-launcher/virtmanager"
	"kvirt.io/kvirt/pkg/virt-launcher/vnc"
)

// Run opens libvirt's QEMU driver embedded in this process and serves commands
// until the domain, once started, is gone (then it reports the final state and
// returns) or ctx ends (then it shuts the domain down gracefully first).
func (o *Options) Run(ctx context.Context) error {
	log := klog.FromContext(ctx)
	if err := os.MkdirAll(o.SocketDir, 0o755); err != nil {
		return fmt.Errorf("create socket dir: %w", err)
	}
	// Children run on their own context so a SIGTERM can still shut the domain
	// down through them.
	runCtx, cancel := context.WithCancel(klog.NewContext(context.Background(), log))
	defer cancel()
	if err := virtmanager.StartEvents(runCtx); err != nil {
		return err
	}
	driver, err := o.openLibvirt(runCtx)
	if err != nil {
		return err
	}
	defer driver.stop()
	dhcp := podnet.NewResponder(runCtx)
	defer dhcp.Wait()
	defer cancel()
	mgr, err := virtmanager.New(virtmanager.Config{
		URI: driver.uri, RunDir: driver.runDir, Layout: o.Layout, MigrationTarget: o.MigrationTarget,
		GuestAgentSocket: driver.agentSocket,
		ConsoleSocket:    ConsoleSocket(o.SocketDir), VNCSocket: VNCSocket(o.SocketDir), Emulator: o.Emulator, Network: dhcp,
	})
	if err != nil {
		return err
	}
	defer mgr.Close()
	cons, closeLog, err := o.openConsole()
	if err != nil {
		return err
	}
	defer closeLog()
	events := cmdserver.NewEvents()
	w := newWatcher(mgr, events, eventResync)
	if err := mgr.OnLifecycle(w.poke); err != nil {
		log.Error(err, "domain lifecycle events; polling instead")
		w.resync = pollResync
	}
	ga := agent.New(mgr, agent.Config{Changed: func() { mgr.AgentChanged(); w.poke() }})
	creds := credentials.New(credentials.Config{Dir: o.AccessCredentialsDir, Agent: mgr,
		Changed: func() { mgr.AgentChanged(); w.poke() }})
	if err := mgr.OnAgentLifecycle(func(bool) { ga.Kick(); creds.Kick() }); err != nil {
		log.Error(err, "guest agent events; polling only")
	}
	srv := cmdserver.New(runCtx, mgr, cons, ga, w.poke)
	srv.SetCredentials(creds)
	srv.SetDisplay(vnc.New(VNCSocket(o.SocketDir), mgr))
	srv.SetIdentity(o.VMIUID)
	srv.SetEvents(events)
	srv.SetMigrator(mgr)

	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Add(5)
	go func() { defer wg.Done(); _ = cons.Run(runCtx) }()
	go func() { defer wg.Done(); ga.Run(runCtx) }()
	go func() { defer wg.Done(); creds.Run(runCtx) }()
	go func() {
		defer wg.Done()
		if err := srv.Serve(runCtx, CommandSocket(o.SocketDir)); err != nil {
			log.Error(err, "command server stopped")
		}
	}()
	gone := make(chan struct{})
	go func() { defer wg.Done(); w.run(runCtx, gone) }()
	log.Info("launcher ready", "socket", CommandSocket(o.SocketDir), "libvirt", driver.uri, "uid", os.Geteuid(),
		"migrationTarget", o.MigrationTarget)

	select {
	case <-gone:
		log.Info("domain is gone, exiting")
	case <-ctx.Done():
		o.stopDomain(runCtx, mgr, gone)
	}
	w.reportFinal(runCtx, o.FinalNotifyTimeout)
	if err := mgr.Undefine(); err != nil {
		log.V(2).Info("undefine domain", "err", err.Error())
	}
	return nil
}

// libvirtDriver is the libvirt QEMU driver the launcher's domain runs under.
type libvirtDriver struct {
	uri, runDir string
	// agentSocket is the guest agent channel's host end, when the driver's
	// default directory is too deep for a socket path.
	agentSocket string
	stop        func()
}

// openLibvirt prepares the embedded driver, or for a migration target starts
// the private daemon the source's libvirt migrates to.
func (o *Options) openLibvirt(ctx context.Context) (libvirtDriver, error) {
	if !o.MigrationTarget {
		d, err := libvirtembed.Prepare(o.StateDir)
		if err != nil {
			return libvirtDriver{}, err
		}
		return libvirtDriver{uri: d.URI(), runDir: d.RunDir(), stop: func() {}}, nil
	}
	d, err := libvirtdaemon.Start(ctx, libvirtdaemon.Config{Binary: o.Libvirtd, Root: o.StateDir, SocketDir: o.SocketDir})
	if err != nil {
		return libvirtDriver{}, err
	}
	return libvirtDriver{uri: d.URI(), runDir: d.RunDir(), stop: d.Stop,
		agentSocket: filepath.Join(o.SocketDir, "guest-agent.sock")}, nil
}

// openConsole is the serial console relay, appending to the serial console
// log when one is asked for; the function returned closes the log.
func (o *Options) openConsole() (*console.Console, func(), error) {
	cons := console.New(ConsoleSocket(o.SocketDir), 0)
	if o.SerialConsoleLog == "" {
		return cons, func() {}, nil
	}
	logFile, err := openConsoleLog(o.SerialConsoleLog)
	if err != nil {
		return nil, nil, err
	}
	cons.LogTo(logFile)
	return cons, func() { _ = logFile.Close() }, nil
}

// openConsoleLog opens the serial console log for appending, readable by the
// unprivileged guest-console-log container.
func openConsoleLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create serial console log dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open serial console log: %w", err)
	}
	return f, nil
}

// stopDomain shuts a running domain down gracefully after SIGTERM.
func (o *Options) stopDomain(ctx context.Context, mgr *virtmanager.Manager, gone <-chan struct{}) {
	log := klog.FromContext(ctx)
	d, err := mgr.Domain()
	if err != nil || d == nil || d.State == virtmanager.StateShutoff {
		return
	}
	log.Info("terminating: shutting the domain down", "grace", o.DefaultGrace)
	if err := mgr.Shutdown(ctx, o.DefaultGrace); err != nil {
		log.Error(err, "graceful shutdown")
	}
	select {
	case <-gone:
	case <-time.After(o.DefaultGrace + 10*time.Second):
		_ = mgr.Kill()
	}
}
