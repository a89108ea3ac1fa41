package credentials

import (
	"fmt"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

type addKeyFlags struct {
	keyFlags
	createSecret, updateSecret bool
}

const addKeyExample = `  # Add an SSH key for a running virtual machine.
  virtctl credentials add-ssh-key --user <username> --file <path-to-ssh-public-key> <vm-name>

  # Add an SSH key for a running virtual machine. Key is provided as literal parameter.
  virtctl credentials add-ssh-key --user <username> --value <literal-ssh-public-key> <vm-name>

  # Add an SSH key to a secret that is not owned by the virtual machine.
  virtctl credentials add-ssh-key --user <username> --file <path-to-ssh-public-key> --force <vm-name>

  # Create a new secret with the SSH key, and assign it to the specified virtual machine.
  virtctl credentials add-ssh-key --create-secret --user <username> --file <path-to-ssh-public-key> <vm-name>`

func newAddKeyCommand(c Client) *cobra.Command {
	f := &addKeyFlags{}
	cmd := &cobra.Command{
		Use:     "add-ssh-key VM",
		Short:   "Add credentials to a virtual machine.",
		Example: addKeyExample,
		Args:    cobra.ExactArgs(1),
		RunE: withKey(c, &f.keyFlags, func(cmd *cobra.Command, cl *clients, vm, key string) error {
			return addKey(cmd, cl, vm, f, key)
		}),
	}
	addUserFlags(cmd, &f.keyFlags, true)
	cmd.Flags().BoolVar(&f.createSecret, "create-secret", false, "Create a new secret for the SSH key. "+
		"The new key will not be added to a running VM. Use --force to add a new secret even if the VM is running.")
	cmd.Flags().BoolVar(&f.updateSecret, "update-secret", false, "Add the SSH key to an existing secret. "+
		"Use --force option, if the secret does not have owner reference pointing to the VM.")
	cmd.MarkFlagsMutuallyExclusive("create-secret", "update-secret")
	return cmd
}

// createsSecret: as upstream, by default a new Secret when the user has none.
func (f *addKeyFlags) createsSecret(vm *virtv1.VirtualMachine) bool {
	if f.createSecret || f.updateSecret {
		return f.createSecret
	}
	return len(sshSecretsForUser(vm.Spec.Template.Spec.AccessCredentials, f.user)) == 0
}

func addKey(cmd *cobra.Command, cl *clients, vmName string, f *addKeyFlags, key string) error {
	vm, err := getVM(cmd.Context(), cl, vmName)
	if err != nil {
		return err
	}
	if f.createsSecret(vm) {
		return addSecretWithKey(cmd, cl, vm, f, key)
	}
	return addKeyToSecret(cmd, cl, vm, f, key)
}

// addSecretWithKey creates a Secret owned by the VM and adds a credential
// naming it to the VM's template: it reaches the guest on the next start, so
// a running VM needs --force.
func addSecretWithKey(cmd *cobra.Command, cl *clients, vm *virtv1.VirtualMachine, f *addKeyFlags, key string) error {
	ctx := cmd.Context()
	if !f.force {
		_, err := cl.kvirt.KubevirtV1().VirtualMachineInstances(vm.Namespace).Get(ctx, vm.Name, metav1.GetOptions{})
		if err == nil {
			return fmt.Errorf("virtual machine %s is running. Use --force flag to update a running VM, "+
				"it will take effect after restart", vm.Name)
		}
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("error when getting virtual machine instance: %w", err)
		}
	}
	secret, err := cl.kube.CoreV1().Secrets(vm.Namespace).Create(ctx, newKeySecret(vm, key), metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("error creating secret: %w", err)
	}
	ac := newSSHCredential(secret.Name, f.user)
	vms := cl.kvirt.KubevirtV1().VirtualMachines(vm.Namespace)
	if _, err := vms.Patch(ctx, vm.Name, types.JSONPatchType, appendCredentialPatch(ac, false), metav1.PatchOptions{}); err != nil {
		if _, err := vms.Patch(ctx, vm.Name, types.JSONPatchType, appendCredentialPatch(ac, true), metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("error patching virtual machine: %w", err)
		}
	}
	return nil
}

// addKeyToSecret adds the key to the user's (only, or --secret) Secret.
func addKeyToSecret(cmd *cobra.Command, cl *clients, vm *virtv1.VirtualMachine, f *addKeyFlags, key string) error {
	ctx := cmd.Context()
	secrets := sshSecretsForUser(vm.Spec.Template.Spec.AccessCredentials, f.user)
	if len(secrets) == 0 {
		return fmt.Errorf("no secrets specified for user: %s", f.user)
	}
	name, err := pickSecret(f.secret, secrets)
	if err != nil {
		return err
	}
	s, err := cl.kube.CoreV1().Secrets(vm.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("error getting secret %q: %w", name, err)
	}
	if secretHasKey(s.Data, key) {
		cmd.Printf("Secret %q already contains this SSH key.\n", name)
		return nil
	}
	if !f.force && !ownedByVM(s, vm) {
		return fmt.Errorf("secret %s does not have an owner reference pointing to VM %s", name, vm.Name)
	}
	if err := patchSecretData(ctx, cl, name, randomKeyName(), []byte(key)); err != nil {
		return err
	}
	cmd.Printf("Successfully added the key to secret %q\n", name)
	return nil
}
