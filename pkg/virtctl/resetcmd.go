package virtctl

import (
	"context"

	"github.com/spf13/cobra"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/subresources"
)

// newResetCommand is upstream's "virtctl reset NAME": a hard reset of the
// VMI's guest (its pod and QEMU process stay).
func newResetCommand(flags *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "reset NAME",
		Short:   "Reset a virtual machine instance (a hard reset of its guest)",
		Example: "  # Reset a virtualmachineinstance called 'myvmi':\n  virtctl reset myvmi",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, flags, "reset", args[0], "VMI", "was scheduled to reset",
				func(ctx context.Context, c *subresources.Client, ns, name string) error {
					return c.ResetVMI(ctx, ns, name)
				})
		},
	}
}

// startCommand is "virtctl start NAME" with upstream's --paused: the VM's
// instance starts with its vCPUs stopped until "virtctl unpause".
func startCommand(flags *clientFlags, dry *dryRun) *cobra.Command {
	var paused bool
	cmd := &cobra.Command{
		Use:   "start NAME",
		Short: "Start a virtual machine",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, flags, "start", args[0], "VM", "was scheduled to start", startAction(paused, dry))
		},
	}
	cmd.Flags().BoolVar(&paused, "paused", false, "start the virtual machine paused (unpause it with virtctl unpause)")
	return cmd
}

func startAction(paused bool, dry *dryRun) action {
	return func(ctx context.Context, c *subresources.Client, ns, name string) error {
		opts := &virtv1.StartOptions{DryRun: dry.option()}
		if paused {
			opts.Paused = &paused
		}
		return c.StartVM(ctx, ns, name, opts)
	}
}
