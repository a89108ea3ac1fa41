package credentials

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
)

// Client gives the REST configuration and the namespace to act in.
type Client interface {
	Config() (*rest.Config, string, error)
}

// clients are what the commands talk to; tests give fakes.
type clients struct {
	kube  kubernetes.Interface
	kvirt kvirtclient.Interface
	ns    string
}

func connect(c Client) (*clients, error) {
	cfg, ns, err := c.Config()
	if err != nil {
		return nil, err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	kv, err := kvirtclient.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kvirt client: %w", err)
	}
	return &clients{kube: kube, kvirt: kv, ns: ns}, nil
}

// NewCommand returns `credentials` with its three subcommands.
func NewCommand(c Client) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credentials",
		Short: "Manipulate credentials on a virtual machine.",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAddKeyCommand(c), newRemoveKeyCommand(c), newSetPasswordCommand(c))
	return cmd
}

func addUserFlags(cmd *cobra.Command, f *keyFlags, withKey bool) {
	cmd.Flags().StringVarP(&f.user, "user", "u", "", "Name of the user.")
	_ = cmd.MarkFlagRequired("user")
	cmd.Flags().StringVar(&f.secret, "secret", "", "Name of the secret with SSH keys.")
	cmd.Flags().BoolVar(&f.force, "force", false, "Force update of secret, even if it's not owned by the VM.")
	if withKey {
		cmd.Flags().StringVarP(&f.file, "file", "f", "", "Path to the SSH public key file.")
		_ = cmd.MarkFlagFilename("file")
		cmd.Flags().StringVar(&f.value, "value", "", "Literal value of the SSH public key.")
		cmd.MarkFlagsMutuallyExclusive("file", "value")
	}
}

func getVM(ctx context.Context, cl *clients, name string) (*virtv1.VirtualMachine, error) {
	vm, err := cl.kvirt.KubevirtV1().VirtualMachines(cl.ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("error getting virtual machine: %w", err)
	}
	return vm, nil
}

// patchSecretData adds /data/<key>, creating /data when the Secret has none.
func patchSecretData(ctx context.Context, cl *clients, secret, key string, value []byte) error {
	secrets := cl.kube.CoreV1().Secrets(cl.ns)
	if _, err := secrets.Patch(ctx, secret, types.JSONPatchType, addDataPatch(key, value, false), metav1.PatchOptions{}); err == nil {
		return nil
	}
	if _, err := secrets.Patch(ctx, secret, types.JSONPatchType, addDataPatch(key, value, true), metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("error patching secret %q: %w", secret, err)
	}
	return nil
}

// checkOwned refuses a Secret the VM does not own, unless --force.
func checkOwned(ctx context.Context, cl *clients, vm *virtv1.VirtualMachine, secret string) error {
	s, err := cl.kube.CoreV1().Secrets(cl.ns).Get(ctx, secret, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("error getting secret %q: %w", secret, err)
	}
	if !ownedByVM(s, vm) {
		return fmt.Errorf("secret %s does not have an owner reference pointing to VM %s", secret, vm.Name)
	}
	return nil
}

func newSetPasswordCommand(c Client) *cobra.Command {
	f := &keyFlags{}
	var password string
	cmd := &cobra.Command{
		Use:   "set-password VM",
		Short: "Set password for a user",
		Example: "  # Set a user password for a virtual machine.\n" +
			"  virtctl credentials set-password --user <username> --password <password> <vm-name>",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := connect(c)
			if err != nil {
				return err
			}
			secret, err := setPassword(cmd.Context(), cl, args[0], f, password)
			if err != nil {
				return err
			}
			cmd.Printf("Successfully set password in secret %q\n", secret)
			return nil
		},
	}
	addUserFlags(cmd, f, false)
	cmd.Flags().StringVarP(&password, "password", "p", "", "Password for the user")
	_ = cmd.MarkFlagRequired("password")
	return cmd
}

func setPassword(ctx context.Context, cl *clients, vmName string, f *keyFlags, password string) (string, error) {
	vm, err := getVM(ctx, cl, vmName)
	if err != nil {
		return "", err
	}
	secrets := passwordSecrets(vm.Spec.Template.Spec.AccessCredentials)
	if len(secrets) == 0 {
		return "", fmt.Errorf("no secrets assigned to UserPassword AccessCredentials")
	}
	secret, err := pickSecret(f.secret, secrets)
	if err != nil {
		return "", err
	}
	if !f.force {
		if err := checkOwned(ctx, cl, vm, secret); err != nil {
			return "", err
		}
	}
	return secret, patchSecretData(ctx, cl, secret, f.user, []byte(password))
}

// withKey is the RunE of the key commands: it reads the key the flags name,
// connects, and runs fn for the VM argument.
func withKey(c Client, f *keyFlags, fn func(cmd *cobra.Command, cl *clients, vm, key string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		key, err := f.sshKey()
		if err != nil {
			return fmt.Errorf("error getting ssh key: %w", err)
		}
		cl, err := connect(c)
		if err != nil {
			return err
		}
		return fn(cmd, cl, args[0], key)
	}
}

func newRemoveKeyCommand(c Client) *cobra.Command {
	f := &keyFlags{}
	cmd := &cobra.Command{
		Use:   "remove-ssh-key VM",
		Short: "Remove credentials from a virtual machine.",
		Example: "  # Remove an SSH key for a running virtual machine.\n" +
			"  virtctl credentials remove-ssh-key --user <username> --file <path-to-ssh-public-key> <vm-name>",
		Args: cobra.ExactArgs(1),
		RunE: withKey(c, f, func(cmd *cobra.Command, cl *clients, vm, key string) error {
			return removeKey(cmd, cl, vm, f, key)
		}),
	}
	addUserFlags(cmd, f, true)
	return cmd
}

func removeKey(cmd *cobra.Command, cl *clients, vmName string, f *keyFlags, key string) error {
	ctx := cmd.Context()
	vm, err := getVM(ctx, cl, vmName)
	if err != nil {
		return err
	}
	secrets := sshSecretsForUser(vm.Spec.Template.Spec.AccessCredentials, f.user)
	if len(secrets) == 0 {
		cmd.Printf("No secrets associated with user %s\n", f.user)
		return nil
	}
	if f.secret != "" {
		if _, err := pickSecret(f.secret, secrets); err != nil {
			return fmt.Errorf("secret %s is not associated with user %s", f.secret, f.user)
		}
		secrets = []string{f.secret}
	}
	for _, name := range secrets {
		if err := removeKeyFromSecret(ctx, cl, vm, name, key, f.force); err != nil {
			return err
		}
	}
	return nil
}

func removeKeyFromSecret(ctx context.Context, cl *clients, vm *virtv1.VirtualMachine, name, key string, force bool) error {
	secrets := cl.kube.CoreV1().Secrets(cl.ns)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		s, err := secrets.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("error getting secret %q: %w", name, err)
		}
		if !force && !ownedByVM(s, vm) {
			return fmt.Errorf("secret %s does not have an owner reference pointing to VM %s", name, vm.Name)
		}
		for k, v := range s.Data {
			if rest := withoutKey(key, v); len(rest) == 0 {
				delete(s.Data, k)
			} else {
				s.Data[k] = rest
			}
		}
		_, err = secrets.Update(ctx, s, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}
