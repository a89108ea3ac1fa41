package virtctl

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"kvirt.io/kvirt/pkg/version"
	"kvirt.io/kvirt/pkg/virtctl/adm"
	"kvirt.io/kvirt/pkg/virtctl/create"
	"kvirt.io/kvirt/pkg/virtctl/credentials"
	"kvirt.io/kvirt/pkg/virtctl/expand"
	"kvirt.io/kvirt/pkg/virtctl/expose"
	"kvirt.io/kvirt/pkg/virtctl/imageupload"
	"kvirt.io/kvirt/pkg/virtctl/migratecancel"
)

// clientFlags are kubectl's way of choosing the cluster, the namespace and the
// identity: KUBECONFIG, --kubeconfig, --context, --namespace (the context's
// namespace by default) and --as/--as-group impersonation. Everything else a
// kubeconfig says (exec plugins, auth providers, token files) is client-go's.
type clientFlags struct {
	kubeconfig, context, namespace string
	as                             string
	asGroups                       []string
}

func (f *clientFlags) loader() clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = f.kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: f.context}
	overrides.Context.Namespace = f.namespace
	overrides.AuthInfo.Impersonate = f.as
	overrides.AuthInfo.ImpersonateGroups = f.asGroups
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

// Config is config for the command packages.
func (f *clientFlags) Config() (*rest.Config, string, error) { return f.config() }

// Namespace is the namespace to act in and whether --namespace (or the
// context) named it explicitly, as clientcmd reports it; no cluster is contacted.
func (f *clientFlags) Namespace() (string, bool, error) {
	ns, explicit, err := f.loader().Namespace()
	if err != nil {
		return "", false, fmt.Errorf("namespace: %w", err)
	}
	return ns, explicit, nil
}

// NewCommand returns the virtctl root command with every subcommand attached.
// Installed as kubectl-virt it is the kubectl plugin `kubectl virt`.
func NewCommand() *cobra.Command {
	flags := &clientFlags{}
	root := &cobra.Command{
		Use:           programName(os.Args[0]),
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
	pf.StringVar(&flags.as, "as", "", "username to impersonate for the operation (as kubectl --as)")
	pf.StringArrayVar(&flags.asGroups, "as-group", nil, "group to impersonate for the operation; repeat for several (as kubectl --as-group)")
	root.AddCommand(newVersionCommand(flags))
	root.AddCommand(lifecycleCommands(flags)...)
	root.AddCommand(guestAgentCommands(flags)...)
	root.AddCommand(newConsoleCommand(flags))
	root.AddCommand(migratecancel.NewCommand(flags))
	root.AddCommand(create.NewCommand(flags))
	root.AddCommand(expand.NewCommand(flags))
	root.AddCommand(adm.NewCommand(flags))
	root.AddCommand(credentials.NewCommand(flags))
	root.AddCommand(expose.NewCommand(flags))
	root.AddCommand(imageupload.NewCommand(flags))
	root.AddCommand(newVNCCommand(flags))
	root.AddCommand(newPortForwardCommand(flags), newSSHCommand(flags), newSCPCommand(flags))
	return root
}

// programName is how the help names the command: "kubectl virt" when run as
// the kubectl plugin (kubectl-virt), virtctl otherwise.
func programName(arg0 string) string {
	if filepath.Base(arg0) == "kubectl-virt" {
		return "kubectl virt"
	}
	return "virtctl"
}
