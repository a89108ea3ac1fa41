package virtctl

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"kvirt.io/client-go/subresources"
	"kvirt.io/kvirt/pkg/version"
)

// serverVersioner is the one call `virtctl version` makes.
type serverVersioner interface {
	Version(ctx context.Context) (*subresources.VersionInfo, error)
}

// newVersionCommand prints the client's version and the server's (virt-api's,
// GET /apis/subresources.kubevirt.io/v1/version), in upstream virtctl's form.
func newVersionCommand(flags *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the client and server version information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := fmt.Fprintf(cmd.OutOrStdout(), "Client Version: %#v\n", version.Get()); err != nil {
				return err
			}
			cfg, _, err := flags.config()
			if err != nil {
				return err
			}
			c, err := subresources.NewForConfig(cfg)
			if err != nil {
				return err
			}
			return printServerVersion(cmd.Context(), cmd.OutOrStdout(), c)
		},
	}
}

func printServerVersion(ctx context.Context, out io.Writer, c serverVersioner) error {
	info, err := c.Version(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "Server Version: %#v\n", version.Info(*info))
	return err
}
