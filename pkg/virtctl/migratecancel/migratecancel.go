package migratecancel

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	typedv1 "kvirt.io/client-go/generated/clientset/versioned/typed/core/v1"
)

// Client gives the REST configuration and the namespace to act in.
type Client interface {
	Config() (*rest.Config, string, error)
}

// NewCommand returns `migrate-cancel NAME` with upstream's --dry-run.
func NewCommand(c Client) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "migrate-cancel NAME",
		Short: "Cancel the migration of a virtual machine",
		Long: "Cancel the active migration of a virtual machine instance by deleting its\n" +
			"VirtualMachineInstanceMigration; finished migrations are left alone.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, ns, err := c.Config()
			if err != nil {
				return err
			}
			cs, err := kvirtclient.NewForConfig(cfg)
			if err != nil {
				return fmt.Errorf("kvirt client: %w", err)
			}
			opts := metav1.DeleteOptions{}
			if dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			if err := Cancel(cmd.Context(), cs.KubevirtV1().VirtualMachineInstanceMigrations(ns), args[0], opts); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "VM %s was scheduled to migrate-cancel\n", args[0])
			return err
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "send the request as a server-side dry run: nothing is changed")
	return cmd
}

// Cancel deletes the one migration of vmi that has not finished.
func Cancel(ctx context.Context, migrations typedv1.VirtualMachineInstanceMigrationInterface, vmi string, opts metav1.DeleteOptions) error {
	list, err := migrations.List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	name := Active(list.Items, vmi)
	if name == "" {
		return fmt.Errorf("found no migration to cancel for %s", vmi)
	}
	if err := migrations.Delete(ctx, name, opts); err != nil {
		return fmt.Errorf("cancel migration %s of %s: %w", name, vmi, err)
	}
	return nil
}

// Active is the name of the migration of vmi that is neither Succeeded nor
// Failed ("" when there is none).
func Active(migs []virtv1.VirtualMachineInstanceMigration, vmi string) string {
	for i := range migs {
		m := &migs[i]
		if m.Spec.VMIName != vmi {
			continue
		}
		if p := m.Status.Phase; p == virtv1.MigrationSucceeded || p == virtv1.MigrationFailed {
			continue
		}
		return m.Name
	}
	return ""
}
