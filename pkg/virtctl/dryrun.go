package virtctl

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// dryRun is upstream's --dry-run of the state-changing verbs: the options body
// carries dryRun: [All], so virt-api checks and answers but changes nothing, and
// the command first prints "Dry Run execution".
type dryRun struct {
	set bool
	out io.Writer
}

// option is the options' dryRun field.
func (d *dryRun) option() []string {
	if !d.set {
		return nil
	}
	_, _ = fmt.Fprintln(d.out, "Dry Run execution")
	return []string{metav1.DryRunAll}
}

// dryRunnable adds --dry-run to the command build returns.
func dryRunnable(build func(*dryRun) *cobra.Command) *cobra.Command {
	d := &dryRun{}
	cmd := build(d)
	cmd.Flags().BoolVar(&d.set, "dry-run", false,
		"--dry-run=false: Flag used to set whether to perform a dry run or not. If true the command will be executed without performing any changes.")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		d.out = c.OutOrStdout()
		return run(c, args)
	}
	return cmd
}
