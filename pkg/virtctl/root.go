package virtctl

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"kvirt.io/kvirt/pkg/version"
)

// clientFlags are kubectl's way of choosing the cluster and namespace: KUBECONFIG,
// --kubeconfig, --context and --namespace, with the context's namespace as default.
type clientFlags struct {
	kubeconfig, context, namespace string
}

func (f *clientFlags) loader() clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = f.kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: f.context}
	overrides.Context.Namespace = f.namespace
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
}

// config returns the REST configuration and the namespace to act in.
func (f *clientFlags) config() (*rest.Config, string, error) {
	loader := f.loader()
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("load kubeconfig: %w", err)
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("namespace: %w", err)
	}
	return cfg, ns, nil
}

// NewCommand returns the virtctl root command with every subcommand attached.
func NewCommand() *cobra.Command {
	flags := &clientFlags{}
	root := &cobra.Command{
		Use:           "virtctl",
		Short:         "virtctl controls kvirt virtual machines",
		Version:       version.Get().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("virtctl {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&flags.kubeconfig, "kubeconfig", "", "path to the kubeconfig (default: $KUBECONFIG or ~/.kube/config)")
	pf.StringVar(&flags.context, "context", "", "kubeconfig context to use")
	pf.StringVarP(&flags.namespace, "namespace", "n", "", "namespace (default: the context's)")
	root.AddCommand(newVersionCommand(flags))
	root.AddCommand(lifecycleCommands(flags)...)
	root.AddCommand(guestAgentCommands(flags)...)
	root.AddCommand(newConsoleCommand(flags))
	return root
}
