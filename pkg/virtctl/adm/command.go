package adm

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/logverbosity"
)

// Client gives the REST configuration and the namespace to act in.
type Client interface {
	Config() (*rest.Config, string, error)
}

// NewCommand returns `adm` with its subcommands.
func NewCommand(c Client) *cobra.Command {
	cmd := &cobra.Command{Use: "adm", Short: "Administrate the KubeVirt installation.", Args: cobra.NoArgs}
	cmd.AddCommand(newLogVerbosityCommand(c))
	return cmd
}

func newLogVerbosityCommand(c Client) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "log-verbosity",
		Short: "Show or set the log verbosity of the KubeVirt components (0-9).",
		Example: "  virtctl adm log-verbosity\n  virtctl adm log-verbosity --virt-handler\n" +
			"  virtctl adm log-verbosity --virt-handler=5 --virt-api=3\n  virtctl adm log-verbosity --all=4\n" +
			"  virtctl adm log-verbosity --reset",
		Args: cobra.NoArgs,
	}
	request := bindFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		r := request()
		if err := r.Validate(); err != nil {
			return err
		}
		return runLogVerbosity(cmd, c, r)
	}
	return cmd
}

// bindFlags registers the level flags and --reset on fs and returns what
// builds the Request from them once parsed.
func bindFlags(fs *pflag.FlagSet) func() *Request {
	levelFlag := func(name, what string) *int {
		p := fs.Int(name, unset, fmt.Sprintf("log verbosity (0-%d) of %s; without a value, print it", logverbosity.MaxLevel, what))
		fs.Lookup(name).NoOptDefVal = strconv.Itoa(show)
		fs.Lookup(name).DefValue = "0" // pflag omits a zero default from the help
		return p
	}
	all := levelFlag("all", "every component")
	given := map[string]*int{}
	for _, comp := range logverbosity.Components {
		given[comp] = levelFlag(comp, comp)
	}
	reset := fs.Bool("reset", false, "reset every component's log verbosity to its default")
	return func() *Request {
		r := newRequest()
		r.All, r.Reset = *all, *reset
		for comp, p := range given {
			r.Levels[comp] = *p
		}
		return r
	}
}

func runLogVerbosity(cmd *cobra.Command, c Client, r *Request) error {
	cfg, _, err := c.Config()
	if err != nil {
		return err
	}
	client, err := versioned.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("kubevirt client: %w", err)
	}
	ctx := cmd.Context()
	kv, err := findKubeVirt(ctx, client)
	if err != nil {
		return err
	}
	patch, err := r.Patch()
	if err != nil {
		return err
	}
	if patch != nil {
		kv, err = client.KubevirtV1().KubeVirts(kv.Namespace).Patch(ctx, kv.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		if err != nil {
			return fmt.Errorf("patch kubevirt %s/%s: %w", kv.Namespace, kv.Name, err)
		}
	}
	return Print(cmd.OutOrStdout(), kv, r.Shown())
}

// findKubeVirt is the cluster's KubeVirt CR, looked up in all namespaces.
func findKubeVirt(ctx context.Context, client versioned.Interface) (*virtv1.KubeVirt, error) {
	list, err := client.KubevirtV1().KubeVirts(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list kubevirts: %w", err)
	}
	switch len(list.Items) {
	case 0:
		return nil, errors.New("no KubeVirt resource found in the cluster")
	case 1:
		return &list.Items[0], nil
	}
	return nil, fmt.Errorf("%d KubeVirt resources found in the cluster, expected one", len(list.Items))
}
