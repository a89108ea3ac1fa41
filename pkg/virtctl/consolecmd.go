package virtctl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/pkg/virtctl/console"
	"kvirt.io/kvirt/pkg/wskeepalive"
)

// escapeByte ends an interactive console session (Ctrl+], as upstream).
const escapeByte = 0x1d

type consoleOptions struct {
	timeout time.Duration
	until   string
}

func newConsoleCommand(flags *clientFlags) *cobra.Command {
	o := &consoleOptions{}
	cmd := &cobra.Command{
		Use:   "console NAME",
		Short: "Connect to the serial console of a virtual machine instance",
		Long: "Connect to the serial console of a virtual machine instance. On a terminal the session is\n" +
			"interactive and Ctrl+] ends it. With --until the command prints the console output and\n" +
			"exits 0 as soon as the text appears (non-zero when --timeout passes first).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, flags, args[0])
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute,
		"how long to wait for the console to connect (and, with --until, for the text)")
	cmd.Flags().StringVar(&o.until, "until", "", "exit successfully once this text was printed by the guest")
	return cmd
}

func (o *consoleOptions) run(cmd *cobra.Command, flags *clientFlags, name string) error {
	cfg, ns, err := flags.config()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(o.timeout)
	ws, err := dialWithRetry(cfg, ns, name, deadline)
	if err != nil {
		return err
	}
	defer func() { _ = ws.Close() }()
	// virt-api pings too; pinging from this end as well keeps proxies that only
	// count client traffic from closing an idle session.
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	go wskeepalive.Ping(ctx, ws, wskeepalive.DefaultInterval)
	out := cmd.OutOrStdout()
	if o.until != "" {
		return copyUntil(ws, out, o.until, deadline)
	}
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		state, err := term.MakeRaw(fd)
		if err != nil {
			return fmt.Errorf("raw terminal: %w", err)
		}
		defer func() { _ = term.Restore(fd, state) }()
		_, _ = fmt.Fprintf(out, "Successfully connected to %s console. Press Ctrl+] to exit.\r\n", name)
		go forwardInput(ws, os.Stdin)
	}
	return copyOutput(ws, out)
}

// dialWithRetry retries while the VMI is not yet running (virt-api waits for
// it, then answers 400 until it is), so `virtctl start vm && virtctl console vm`
// works; a final refusal (no serial console, forbidden, not found, failed) ends
// it at once.
func dialWithRetry(cfg *rest.Config, ns, name string, deadline time.Time) (*websocket.Conn, error) {
	for {
		ws, err := console.Dial(cfg, ns, name, time.Minute)
		if err == nil {
			return ws, nil
		}
		var refused *console.RefusedError
		if errors.As(err, &refused) && !refused.Retryable() {
			return nil, err
		}
		if time.Now().Add(time.Second).After(deadline) {
			return nil, err
		}
		time.Sleep(time.Second)
	}
}

func forwardInput(ws *websocket.Conn, in io.Reader) {
	buf := make([]byte, 1024)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if i := bytes.IndexByte(chunk, escapeByte); i >= 0 {
				_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
				_ = ws.Close()
				return
			}
			if ws.WriteMessage(websocket.BinaryMessage, chunk) != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func copyOutput(ws *websocket.Conn, out io.Writer) error {
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			if websocket.IsCloseError(err, websocket.CloseNormalClosure) || errors.Is(err, io.EOF) ||
				strings.Contains(err.Error(), "use of closed network connection") {
				return nil
			}
			return fmt.Errorf("console: %w", err)
		}
		if _, err := out.Write(msg); err != nil {
			return err
		}
	}
}

// copyUntil streams the console to out until want was printed.
func copyUntil(ws *websocket.Conn, out io.Writer, want string, deadline time.Time) error {
	_ = ws.SetReadDeadline(deadline)
	var seen strings.Builder
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("console ended before %q appeared: %w", want, err)
		}
		if _, err := out.Write(msg); err != nil {
			return err
		}
		seen.Write(msg)
		if strings.Contains(seen.String(), want) {
			_, _ = fmt.Fprintln(out)
			return nil
		}
	}
}
