package cmdserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/version"
	"kvirt.io/kvirt/pkg/virt-launcher/domain"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// DomainManager is what the server needs from the launcher's domain owner.
type DomainManager interface {
	Sync(ctx context.Context, vmi *virtv1.VirtualMachineInstance, acc domain.Accelerator,
		podIfaces []*launcherv1.PodInterface) error
	Pause() error
	Unpause() error
	SoftReboot() error
	Reset() error
	Shutdown(ctx context.Context, grace time.Duration) error
	Kill() error
	Domain() (*launcherv1.Domain, error)
	Stats() (*launcherv1.DomainStatsResponse, error)
	DomainStats() (*launcherv1.DomainStatsReply, error)
}

// GuestAgent is the launcher's guest agent poller.
type GuestAgent interface {
	Report() *launcherv1.GuestAgentResponse
	Freeze(unfreezeAfter time.Duration) error
	Unfreeze() error
	Exec(ctx context.Context, argv []string, timeout time.Duration) *launcherv1.GuestExecResponse
	Ping(timeout time.Duration) error
}

// Credentials pushes the VMI's agent-propagated access credentials.
type Credentials interface {
	SetSpec(acs []virtv1.AccessCredential)
	Status() *launcherv1.AccessCredentialsStatus
}

// Console is the serial console relay.
type Console interface {
	Attach() (history []byte, out <-chan []byte, detach func())
	Write(p []byte) (int, error)
}

// Server implements launcherv1.LauncherServer.
type Server struct {
	launcherv1.UnimplementedLauncherServer
	// ctx bounds work that outlives an RPC (the shutdown deadline).
	ctx      context.Context
	manager  DomainManager
	console  Console
	display  Display
	agent    GuestAgent
	creds    Credentials
	migrator Migrator
	events   *Events
	vmiUID   string
	// Changed is called after every command that may change the domain.
	changed func()
}

// New returns a server; changed may be nil.
func New(ctx context.Context, manager DomainManager, console Console, agent GuestAgent, changed func()) *Server {
	if changed == nil {
		changed = func() {}
	}
	return &Server{ctx: ctx, manager: manager, console: console, agent: agent, changed: changed}
}

// SetIdentity names the VMI this launcher serves: Ping reports it and SyncVMI
// refuses any other VMI.
func (s *Server) SetIdentity(vmiUID string) { s.vmiUID = vmiUID }

// SetCredentials makes SyncVMI hand the VMI's access credentials to c and
// GetGuestAgent report c's status.
func (s *Server) SetCredentials(c Credentials) { s.creds = c }

// SetEvents serves e through WatchDomain; without it WatchDomain answers
// Unimplemented.
func (s *Server) SetEvents(e *Events) { s.events = e }

// Serve listens on the unix socket until ctx ends, then removes it.
func (s *Server) Serve(ctx context.Context, socket string) error {
	_ = os.Remove(socket)
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", socket, err)
	}
	srv := grpc.NewServer()
	launcherv1.RegisterLauncherServer(srv, s)
	stop := context.AfterFunc(ctx, srv.Stop)
	defer stop()
	defer func() { _ = os.Remove(socket) }()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("serve launcher commands: %w", err)
	}
	return nil
}

func result(err error) *launcherv1.Result {
	if err != nil {
		return &launcherv1.Result{Message: err.Error()}
	}
	return &launcherv1.Result{Success: true}
}

// Ping reports the protocol versions and build.
func (s *Server) Ping(context.Context, *launcherv1.PingRequest) (*launcherv1.PingResponse, error) {
	return &launcherv1.PingResponse{
		Versions:     launcherv1.SupportedVersions(),
		BuildVersion: version.Get().GitVersion,
		Pid:          int64(os.Getpid()),
		VmiUid:       s.vmiUID,
	}, nil
}

// WatchDomain streams the domain reports.
func (s *Server) WatchDomain(_ *launcherv1.WatchDomainRequest, stream launcherv1.Launcher_WatchDomainServer) error {
	if s.events == nil {
		return status.Error(codes.Unimplemented, "no domain events")
	}
	return s.events.watch(stream.Context(), stream.Send)
}

// kvmDevice is the KVM device file; in a launcher pod it exists only when the
// pod was given the devices.kubevirt.io/kvm resource.
const kvmDevice = "/dev/kvm"

// SyncVMI defines and starts the domain.
func (s *Server) SyncVMI(ctx context.Context, req *launcherv1.SyncVMIRequest) (*launcherv1.Result, error) {
	vmi, acc, err := s.decodeVMI(req)
	if err != nil {
		return result(err), nil
	}
	err = s.manager.Sync(klog.NewContext(s.ctx, klog.FromContext(ctx)), vmi, acc, req.PodInterfaces)
	if err == nil && s.creds != nil {
		s.creds.SetSpec(vmi.Spec.AccessCredentials)
	}
	s.changed()
	return result(err), nil
}

// decodeVMI reads the request's VMI, refuses another VMI than this
// launcher's, and picks the accelerator it can use.
func (s *Server) decodeVMI(req *launcherv1.SyncVMIRequest) (*virtv1.VirtualMachineInstance, domain.Accelerator, error) {
	vmi := &virtv1.VirtualMachineInstance{}
	if err := json.Unmarshal(req.VmiJson, vmi); err != nil {
		return nil, "", fmt.Errorf("decode vmi: %w", err)
	}
	if s.vmiUID != "" && string(vmi.UID) != s.vmiUID {
		return nil, "", fmt.Errorf("this launcher serves VMI %s, not %s", s.vmiUID, vmi.UID)
	}
	_, kvmErr := os.Stat(kvmDevice)
	acc := domain.Usable(domain.Accelerator(req.Accelerator), kvmErr == nil)
	if string(acc) != req.Accelerator {
		klog.FromContext(s.ctx).Info("accelerator not usable here", "requested", req.Accelerator, "using", acc)
	}
	return vmi, acc, nil
}

// Pause suspends the domain.
func (s *Server) Pause(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	defer s.changed()
	return result(s.manager.Pause()), nil
}

// Unpause resumes the domain.
func (s *Server) Unpause(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	defer s.changed()
	return result(s.manager.Unpause()), nil
}

// SoftReboot reboots the guest through ACPI.
func (s *Server) SoftReboot(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	return result(s.manager.SoftReboot()), nil
}

// Reset hard-resets the guest (same QEMU process).
func (s *Server) Reset(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	defer s.changed()
	return result(s.manager.Reset()), nil
}

// Shutdown starts a graceful shutdown with a deadline.
func (s *Server) Shutdown(_ context.Context, req *launcherv1.ShutdownRequest) (*launcherv1.Result, error) {
	defer s.changed()
	grace := time.Duration(req.GracePeriodSeconds) * time.Second
	return result(s.manager.Shutdown(s.ctx, grace)), nil
}

// Kill destroys the domain.
func (s *Server) Kill(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	defer s.changed()
	return result(s.manager.Kill()), nil
}

// GetDomain reports the domain, if any.
func (s *Server) GetDomain(context.Context, *launcherv1.Empty) (*launcherv1.DomainResponse, error) {
	d, err := s.manager.Domain()
	if err != nil {
		return nil, err
	}
	return &launcherv1.DomainResponse{Domain: d}, nil
}

// GetDomainStats reports CPU and memory figures.
func (s *Server) GetDomainStats(context.Context, *launcherv1.Empty) (*launcherv1.DomainStatsResponse, error) {
	return s.manager.Stats()
}

// DomainStats reports libvirt's bulk stats of the domain.
func (s *Server) DomainStats(context.Context, *launcherv1.Empty) (*launcherv1.DomainStatsReply, error) {
	return s.manager.DomainStats()
}

// GetGuestInfo is the version 1 summary of the guest agent's report.
func (s *Server) GetGuestInfo(context.Context, *launcherv1.Empty) (*launcherv1.GuestInfoResponse, error) {
	r := s.agent.Report()
	return &launcherv1.GuestInfoResponse{AgentConnected: r.Connected, Hostname: r.Hostname,
		OsName: r.GetOs().GetName(), KernelRelease: r.GetOs().GetKernelRelease()}, nil
}

// GetGuestAgent reports the guest agent poller's last read.
func (s *Server) GetGuestAgent(context.Context, *launcherv1.Empty) (*launcherv1.GuestAgentResponse, error) {
	r := s.agent.Report()
	if s.creds != nil {
		r.AccessCredentials = s.creds.Status()
	}
	return r, nil
}

// Freeze freezes the guest's filesystems, thawing them after the timeout.
func (s *Server) Freeze(_ context.Context, req *launcherv1.FreezeRequest) (*launcherv1.Result, error) {
	return result(s.agent.Freeze(time.Duration(req.UnfreezeTimeoutSeconds) * time.Second)), nil
}

// Unfreeze thaws the guest's filesystems.
func (s *Server) Unfreeze(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	return result(s.agent.Unfreeze()), nil
}

// GuestExec runs a command in the guest through the agent.
func (s *Server) GuestExec(ctx context.Context, req *launcherv1.GuestExecRequest) (*launcherv1.GuestExecResponse, error) {
	return s.agent.Exec(ctx, req.Command, time.Duration(req.TimeoutSeconds)*time.Second), nil
}

// GuestPing pings the guest agent.
func (s *Server) GuestPing(_ context.Context, req *launcherv1.GuestPingRequest) (*launcherv1.Result, error) {
	return result(s.agent.Ping(time.Duration(req.TimeoutSeconds) * time.Second)), nil
}

// Console streams the serial console both ways.
func (s *Server) Console(stream launcherv1.Launcher_ConsoleServer) error {
	history, out, detach := s.console.Attach()
	defer detach()
	if len(history) > 0 {
		if err := stream.Send(&launcherv1.ConsoleData{Data: history}); err != nil {
			return err
		}
	}
	inErr := make(chan error, 1)
	go func() {
		for {
			msg, err := stream.Recv()
			if err != nil {
				inErr <- err
				return
			}
			if _, err := s.console.Write(msg.Data); err != nil {
				inErr <- err
				return
			}
		}
	}()
	for {
		select {
		case data, ok := <-out:
			if !ok {
				return nil
			}
			if err := stream.Send(&launcherv1.ConsoleData{Data: data}); err != nil {
				return err
			}
		case err := <-inErr:
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		case <-stream.Context().Done():
			return nil
		}
	}
}
