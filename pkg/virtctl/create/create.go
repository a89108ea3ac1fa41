package create

import (
	"github.com/spf13/cobra"

	"kvirt.io/kvirt/pkg/virtctl/create/instancetype"
	"kvirt.io/kvirt/pkg/virtctl/create/preference"
	"kvirt.io/kvirt/pkg/virtctl/create/vm"
)

// Namespacer says which namespace the command acts in and whether the user
// chose it (-n or the context); create sets metadata.namespace only then.
type Namespacer interface {
	Namespace() (string, bool, error)
}

// NewCommand returns `create` with its vm, instancetype and preference commands.
func NewCommand(ns Namespacer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a manifest for the specified Kind.",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(vm.NewCommand(ns), instancetype.NewCommand(ns), preference.NewCommand(ns))
	return cmd
}
