package virtctl

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/subresources"
)

// action is one subresource call on a named VM or VMI.
type action func(ctx context.Context, c *subresources.Client, namespace, name string) error

// lifecycleCommands are upstream virtctl's state-changing verbs.
func lifecycleCommands(flags *clientFlags) []*cobra.Command {
	return []*cobra.Command{
		dryRunnable(func(dry *dryRun) *cobra.Command { return startCommand(flags, dry) }),
		dryRunnable(func(dry *dryRun) *cobra.Command {
			return forcibleCommand(flags, "stop", "Stop a virtual machine", "was scheduled to stop",
				func(grace *int64) action {
					return func(ctx context.Context, c *subresources.Client, ns, name string) error {
						return c.StopVM(ctx, ns, name, &virtv1.StopOptions{GracePeriod: grace, DryRun: dry.option()})
					}
				})
		}),
		forcibleCommand(flags, "restart", "Restart a virtual machine", "was scheduled to restart",
			func(grace *int64) action {
				return func(ctx context.Context, c *subresources.Client, ns, name string) error {
					return c.RestartVM(ctx, ns, name, &virtv1.RestartOptions{GracePeriodSeconds: grace})
				}
			}),
		simpleCommand(flags, "migrate", "Live-migrate a virtual machine", "was scheduled to migrate",
			func(ctx context.Context, c *subresources.Client, ns, name string) error {
				return c.MigrateVM(ctx, ns, name, &virtv1.MigrateOptions{})
			}),
		simpleCommand(flags, "soft-reboot", "Reboot a virtual machine instance through ACPI", "was scheduled to reboot",
			func(ctx context.Context, c *subresources.Client, ns, name string) error {
				return c.SoftRebootVMI(ctx, ns, name)
			}),
		newResetCommand(flags),
		pauseCommand(flags, "pause", "Pause a virtual machine (vm) or instance (vmi)", "was scheduled to pause",
			func(ctx context.Context, c *subresources.Client, ns, name string) error {
				return c.PauseVMI(ctx, ns, name, &virtv1.PauseOptions{})
			}),
		pauseCommand(flags, "unpause", "Unpause a virtual machine (vm) or instance (vmi)", "was scheduled to unpause",
			func(ctx context.Context, c *subresources.Client, ns, name string) error {
				return c.UnpauseVMI(ctx, ns, name, &virtv1.UnpauseOptions{})
			}),
	}
}

func simpleCommand(flags *clientFlags, verb, short, done string, do action) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " NAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, flags, verb, args[0], "VM", done, do)
		},
	}
}

// forcibleCommand is stop or restart with upstream's --force and --grace-period:
// a grace period (seconds; 0 ends the guest at once) is sent only with --force.
func forcibleCommand(flags *clientFlags, verb, short, done string, do func(grace *int64) action) *cobra.Command {
	var (
		force bool
		grace int64
	)
	cmd := &cobra.Command{
		Use:   verb + " NAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := forcedGrace(force, grace, cmd.Flags().Changed("grace-period"))
			if err != nil {
				return err
			}
			return run(cmd, flags, verb, args[0], "VM", done, do(g))
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "force the "+verb+" with --grace-period (the guest gets no more time than that)")
	cmd.Flags().Int64Var(&grace, "grace-period", -1,
		"seconds the guest gets to shut down, only with --force; 0 ends it at once")
	return cmd
}

// forcedGrace is the grace period to send: none unless --force, which needs one.
func forcedGrace(force bool, grace int64, set bool) (*int64, error) {
	switch {
	case set && !force:
		return nil, fmt.Errorf("--grace-period needs --force")
	case force && (!set || grace < 0):
		return nil, fmt.Errorf("--force needs --grace-period with 0 or more seconds")
	case force:
		return &grace, nil
	}
	return nil, nil
}

// pauseCommand takes "vm NAME" or "vmi NAME" like upstream; both act on the
// instance (a VM's instance has the VM's name).
func pauseCommand(flags *clientFlags, verb, short, done string, do action) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " (vm|vmi) NAME",
		Short: short,
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := pauseKind(args[0])
			if err != nil {
				return err
			}
			return run(cmd, flags, verb, args[1], kind, done, do)
		},
	}
}

func pauseKind(arg string) (string, error) {
	switch arg {
	case "vm", "virtualmachine":
		return "VM", nil
	case "vmi", "virtualmachineinstance":
		return "VMI", nil
	}
	return "", fmt.Errorf("first argument must be vm or vmi, got %q", arg)
}

func run(cmd *cobra.Command, flags *clientFlags, verb, name, kind, done string, do action) error {
	cfg, ns, err := flags.config()
	if err != nil {
		return err
	}
	c, err := subresources.NewForConfig(cfg)
	if err != nil {
		return err
	}
	if err := do(cmd.Context(), c, ns, name); err != nil {
		return fmt.Errorf("%s %s %s/%s: %w", verb, kind, ns, name, err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s %s\n", kind, name, done)
	return err
}
