package virtctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"kvirt.io/client-go/subresources"
)

// guestAgentCommands are upstream virtctl's guest agent verbs: three that print
// what the agent reports as indented JSON, and freeze/unfreeze.
func guestAgentCommands(flags *clientFlags) []*cobra.Command {
	freeze := freezeCommand(flags)
	return []*cobra.Command{
		reportCommand(flags, "guestosinfo", "Return guest agent info about operating system",
			func(ctx context.Context, c *subresources.Client, ns, name string) (any, error) {
				return c.GuestOSInfo(ctx, ns, name)
			}),
		reportCommand(flags, "userlist", "Return full list of logged in users on a guest machine",
			func(ctx context.Context, c *subresources.Client, ns, name string) (any, error) {
				return c.UserList(ctx, ns, name)
			}),
		reportCommand(flags, "fslist", "Return full list of filesystems available on the guest machine",
			func(ctx context.Context, c *subresources.Client, ns, name string) (any, error) {
				return c.FilesystemList(ctx, ns, name)
			}),
		freeze,
		simpleVMICommand(flags, "unfreeze", "Unfreeze a virtual machine instance's filesystems", "was scheduled to unfreeze",
			func(ctx context.Context, c *subresources.Client, ns, name string) error {
				return c.UnfreezeVMI(ctx, ns, name)
			}),
	}
}

// report reads one guest agent answer.
type report func(ctx context.Context, c *subresources.Client, namespace, name string) (any, error)

func reportCommand(flags *clientFlags, verb, short string, get report) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " (VMI)",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, ns, err := flags.config()
			if err != nil {
				return err
			}
			c, err := subresources.NewForConfig(cfg)
			if err != nil {
				return err
			}
			v, err := get(cmd.Context(), c, ns, args[0])
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), v)
		},
	}
}

// printJSON prints v indented by two spaces, as upstream virtctl does.
func printJSON(out io.Writer, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	_, err = fmt.Fprintf(out, "%s\n", raw)
	return err
}

func simpleVMICommand(flags *clientFlags, verb, short, done string, do action) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " (VMI)",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, flags, verb, args[0], "VMI", done, do)
		},
	}
}

// freezeCommand takes upstream's --unfreeze-timeout (default 5m).
func freezeCommand(flags *clientFlags) *cobra.Command {
	timeout := 5 * time.Minute
	cmd := simpleVMICommand(flags, "freeze", "Freeze a virtual machine instance's filesystems", "was scheduled to freeze",
		func(ctx context.Context, c *subresources.Client, ns, name string) error {
			return c.FreezeVMI(ctx, ns, name, timeout)
		})
	cmd.Flags().DurationVar(&timeout, "unfreeze-timeout", timeout,
		"thaw the guest by itself after this long if no unfreeze came first")
	return cmd
}
