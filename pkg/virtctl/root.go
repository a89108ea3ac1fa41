package virtctl

import (
	"fmt"

	"github.com/spf13/cobra"

	"kvirt.io/kvirt/pkg/version"
)

// NewCommand returns the virtctl root command with every subcommand attached.
func NewCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "virtctl",
		Short:         "virtctl controls kvirt virtual machines",
		Version:       version.Get().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("virtctl {{.Version}}\n")
	root.AddCommand(newVersionCommand())
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the virtctl version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "Client Version: %s\n", version.Get())
			return err
		},
	}
}
