package notifyserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	notifyv1 "kvirt.io/kvirt/proto/notify/v1"
)

// DomainHandler receives domain events.
type DomainHandler func(uid, event string, d *launcherv1.Domain)

type server struct {
	notifyv1.UnimplementedNotifyServer
	onDomain DomainHandler
}

func (s *server) DomainEvent(_ context.Context, req *notifyv1.DomainEventRequest) (*notifyv1.NotifyResponse, error) {
	if req.Domain != nil {
		s.onDomain(req.VmiUid, req.Event, req.Domain)
	}
	return &notifyv1.NotifyResponse{}, nil
}

// GuestInfo is accepted for launchers with a guest agent channel; none sends it yet.
func (s *server) GuestInfo(context.Context, *notifyv1.GuestInfoRequest) (*notifyv1.NotifyResponse, error) {
	return &notifyv1.NotifyResponse{}, nil
}

// InterfaceAddresses is accepted for agent-reported addresses; none is sent yet
// (domain interfaces travel in DomainEvent).
func (s *server) InterfaceAddresses(context.Context, *notifyv1.InterfaceAddressesRequest) (*notifyv1.NotifyResponse, error) {
	return &notifyv1.NotifyResponse{}, nil
}

// Serve listens on socket until ctx ends.
func Serve(ctx context.Context, socket string, onDomain DomainHandler) error {
	_ = os.Remove(socket)
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", socket, err)
	}
	srv := grpc.NewServer()
	notifyv1.RegisterNotifyServer(srv, &server{onDomain: onDomain})
	stop := context.AfterFunc(ctx, srv.Stop)
	defer stop()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("serve notify: %w", err)
	}
	return nil
}
