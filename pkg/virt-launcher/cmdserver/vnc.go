package cmdserver

import (
	"context"
	"errors"
	"net"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"kvirt.io/kvirt/pkg/virt-launcher/vnc"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Display is the domain's VNC display (see vnc.Display).
type Display interface {
	Open(preserve bool) (conn net.Conn, release func(), err error)
	Screenshot(ctx context.Context, moveCursor bool) ([]byte, error)
}

// SetDisplay serves d through the VNC and Screenshot RPCs; without one they
// answer Unimplemented.
func (s *Server) SetDisplay(d Display) { s.display = d }

// displayStatus maps the display's errors to gRPC codes the handler turns
// into HTTP answers.
func displayStatus(err error) error {
	switch {
	case errors.Is(err, vnc.ErrInUse):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, vnc.ErrNoDisplay):
		return status.Error(codes.FailedPrecondition, err.Error())
	}
	return status.Error(codes.Unavailable, err.Error())
}

// VNC relays one viewer's RFB stream to QEMU's VNC socket.
func (s *Server) VNC(stream launcherv1.Launcher_VNCServer) error {
	if s.display == nil {
		return status.Error(codes.Unimplemented, "this launcher serves no display")
	}
	open, err := stream.Recv()
	if err != nil {
		return err
	}
	conn, release, err := s.display.Open(open.PreserveSession)
	if err != nil {
		return displayStatus(err)
	}
	defer release()
	if err := stream.Send(&launcherv1.VNCData{}); err != nil {
		return err
	}
	go func() {
		// Viewer input; when the viewer goes, the session ends.
		defer release()
		for {
			msg, err := stream.Recv()
			if err != nil {
				return
			}
			if _, err := conn.Write(msg.Data); err != nil {
				return
			}
		}
	}()
	chunk := make([]byte, 32<<10)
	for {
		n, err := conn.Read(chunk)
		if n > 0 {
			if serr := stream.Send(&launcherv1.VNCData{Data: append([]byte(nil), chunk[:n]...)}); serr != nil {
				return serr
			}
		}
		if err != nil {
			// QEMU, a takeover or the viewer ended the session.
			return nil
		}
	}
}

// Screenshot returns the display as a PNG.
func (s *Server) Screenshot(ctx context.Context, req *launcherv1.ScreenshotRequest) (*launcherv1.ScreenshotResponse, error) {
	if s.display == nil {
		return nil, status.Error(codes.Unimplemented, "this launcher serves no display")
	}
	img, err := s.display.Screenshot(ctx, req.MoveCursor)
	if err != nil {
		return nil, displayStatus(err)
	}
	return &launcherv1.ScreenshotResponse{Png: img, Mime: vnc.MimePNG}, nil
}
