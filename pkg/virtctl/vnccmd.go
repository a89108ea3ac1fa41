package virtctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/spf13/cobra"

	"kvirt.io/kvirt/pkg/virtctl/vnc"
)

type vncOptions struct {
	proxyOnly, preserveSession bool
	port                       int
	address                    string
}

func newVNCCommand(flags *clientFlags) *cobra.Command {
	o := &vncOptions{}
	cmd := &cobra.Command{
		Use:   "vnc NAME",
		Short: "Open a VNC connection to a virtual machine instance",
		Long: "Open a VNC connection to a virtual machine instance. virtctl listens on a local port, relays one\n" +
			"viewer to the VMI's display and starts remote-viewer or vncviewer on it. With --proxy-only it\n" +
			"starts no viewer and prints the port as JSON ({\"port\":N}) for one to connect to.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, flags, args[0])
		},
	}
	cmd.Flags().BoolVar(&o.proxyOnly, "proxy-only", false, "only listen and print the port; start no viewer")
	cmd.Flags().IntVar(&o.port, "port", 0, "local port to listen on (0: any free port)")
	cmd.Flags().StringVar(&o.address, "address", "127.0.0.1", "local address to listen on")
	cmd.Flags().BoolVar(&o.preserveSession, "preserve-session", false,
		"fail rather than disconnect a VNC session that is already active")
	cmd.AddCommand(newScreenshotCommand(flags))
	return cmd
}

func (o *vncOptions) run(cmd *cobra.Command, flags *clientFlags, name string) error {
	cfg, ns, err := flags.config()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.address, strconv.Itoa(o.port)))
	if err != nil {
		return fmt.Errorf("listen for the viewer: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	dial := func() (*websocket.Conn, error) { return vnc.Dial(cfg, ns, name, o.preserveSession, time.Minute) }
	if o.proxyOnly {
		out, _ := json.Marshal(struct {
			Port int `json:"port"`
		}{port})
		_, _ = fmt.Fprintln(cmd.OutOrStdout(), string(out))
		return vnc.ServeOne(ctx, ln, dial)
	}
	viewer, err := viewerCommand(ctx, o.address, port)
	if err != nil {
		_ = ln.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- vnc.ServeOne(ctx, ln, dial) }()
	if err := viewer.Run(); err != nil {
		return fmt.Errorf("%s: %w", viewer.Path, err)
	}
	cancel()
	return <-served
}

// viewerCommand starts remote-viewer (virt-viewer) or a TigerVNC/TightVNC
// vncviewer on the local port, whichever is installed.
func viewerCommand(ctx context.Context, address string, port int) (*exec.Cmd, error) {
	if p, err := exec.LookPath("remote-viewer"); err == nil {
		return exec.CommandContext(ctx, p, fmt.Sprintf("vnc://%s", net.JoinHostPort(address, strconv.Itoa(port)))), nil
	}
	if p, err := exec.LookPath("vncviewer"); err == nil {
		return exec.CommandContext(ctx, p, fmt.Sprintf("%s::%d", address, port)), nil
	}
	return nil, errors.New("no VNC viewer found (remote-viewer or vncviewer in PATH); " +
		"run with --proxy-only and point a viewer at the port it prints")
}

type screenshotOptions struct {
	file       string
	moveCursor bool
}

func newScreenshotCommand(flags *clientFlags) *cobra.Command {
	o := &screenshotOptions{}
	cmd := &cobra.Command{
		Use:   "screenshot NAME",
		Short: "Save a PNG screenshot of a virtual machine instance's display",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, ns, err := flags.config()
			if err != nil {
				return err
			}
			img, err := vnc.Screenshot(cmd.Context(), cfg, ns, args[0], o.moveCursor)
			if err != nil {
				return err
			}
			if o.file == "-" {
				_, err = cmd.OutOrStdout().Write(img)
				return err
			}
			if err := os.WriteFile(o.file, img, 0o644); err != nil {
				return fmt.Errorf("write screenshot: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.file, "file", "f", "", "PNG file to write (- for standard output)")
	cmd.Flags().BoolVar(&o.moveCursor, "move-cursor", false, "move the pointer first, to wake a blanked screen")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}
