package virtctl

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"kvirt.io/kvirt/pkg/virtctl/portforward"
)

// streamTimeout bounds one port-forward handshake.
const streamTimeout = time.Minute

type portForwardOptions struct {
	address string
	stdio   bool
}

func newPortForwardCommand(flags *clientFlags) *cobra.Command {
	o := &portForwardOptions{}
	cmd := &cobra.Command{
		Use:   "port-forward TYPE/NAME[/NAMESPACE] [tcp/]LOCAL[:REMOTE]...",
		Short: "Forward local ports to a virtual machine (vm/NAME) or instance (vmi/NAME)",
		Long: "Listen on local ports and forward each connection to the guest's port through the portforward\n" +
			"subresource. LOCAL 0 picks a free port. With --stdio the one port is relayed to standard input and\n" +
			"output instead (for ssh's ProxyCommand). Only tcp is forwarded.",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, flags, args)
		},
	}
	cmd.Flags().StringVar(&o.address, "address", "127.0.0.1", "local address to listen on")
	cmd.Flags().BoolVar(&o.stdio, "stdio", false, "relay standard input and output to the one port instead of listening")
	return cmd
}

func (o *portForwardOptions) run(cmd *cobra.Command, flags *clientFlags, args []string) error {
	t, err := portforward.ParseTarget(args[0])
	if err != nil {
		return err
	}
	var all []portforward.Ports
	for _, a := range args[1:] {
		p, err := portforward.ParsePorts(a)
		if err != nil {
			return err
		}
		all = append(all, p)
	}
	if o.stdio && len(all) != 1 {
		return fmt.Errorf("--stdio forwards exactly one port, got %d", len(all))
	}
	cfg, ns, err := flags.config()
	if err != nil {
		return err
	}
	if o.stdio {
		s, err := portforward.Dial(cfg, ns, t, all[0].Remote, streamTimeout)
		if err != nil {
			return err
		}
		portforward.Stdio(os.Stdin, cmd.OutOrStdout(), s)
		return nil
	}
	return o.listen(cmd.Context(), cmd.ErrOrStderr(), cfg, ns, t, all)
}

func (o *portForwardOptions) listen(ctx context.Context, stderr io.Writer, cfg *rest.Config, ns string,
	t portforward.Target, all []portforward.Ports) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(all))
	for _, p := range all {
		ln, err := net.Listen("tcp", net.JoinHostPort(o.address, strconv.Itoa(int(p.Local))))
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		_, _ = fmt.Fprintf(stderr, "Forwarding from %s -> %d\n", ln.Addr(), p.Remote)
		remote := p.Remote
		dial := func() (io.ReadWriteCloser, error) { return portforward.Dial(cfg, ns, t, remote, streamTimeout) }
		logf := func(format string, a ...any) { _, _ = fmt.Fprintf(stderr, format+"\n", a...) }
		go func() { errs <- portforward.Serve(ctx, ln, dial, logf) }()
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errs:
		return err
	}
}
