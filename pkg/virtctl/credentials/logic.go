package credentials

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

// keyFlags are the flags every command takes: --user, --secret and, for the
// SSH commands, --file or --value.
type keyFlags struct {
	user, secret string
	file, value  string
	force        bool
}

// sshKey is the key given by --value or read from --file.
func (f *keyFlags) sshKey() (string, error) {
	if f.value != "" {
		return f.value, nil
	}
	if f.file == "" {
		return "", fmt.Errorf("one of --file, or --value must be specified")
	}
	data, err := os.ReadFile(f.file)
	if err != nil {
		return "", fmt.Errorf("read ssh key: %w", err)
	}
	return string(data), nil
}

// sshSecretsForUser lists the Secrets of the sshPublicKey credentials that
// push keys for user through the guest agent.
func sshSecretsForUser(acs []virtv1.AccessCredential, user string) []string {
	var out []string
	for _, ac := range acs {
		c := ac.SSHPublicKey
		if c == nil || c.Source.Secret == nil || c.Source.Secret.SecretName == "" || c.PropagationMethod.QemuGuestAgent == nil {
			continue
		}
		if slices.Contains(c.PropagationMethod.QemuGuestAgent.Users, user) {
			out = append(out, c.Source.Secret.SecretName)
		}
	}
	return out
}

// passwordSecrets lists the Secrets of the userPassword credentials pushed
// through the guest agent.
func passwordSecrets(acs []virtv1.AccessCredential) []string {
	var out []string
	for _, ac := range acs {
		c := ac.UserPassword
		if c != nil && c.Source.Secret != nil && c.Source.Secret.SecretName != "" && c.PropagationMethod.QemuGuestAgent != nil {
			out = append(out, c.Source.Secret.SecretName)
		}
	}
	return out
}

// pickSecret is --secret when it is one of secrets, else the only one.
func pickSecret(flag string, secrets []string) (string, error) {
	if flag == "" {
		if len(secrets) > 1 {
			return "", fmt.Errorf("multiple secrets specified, use option --secret to specify which secret to modify")
		}
		return secrets[0], nil
	}
	if slices.Contains(secrets, flag) {
		return flag, nil
	}
	return "", fmt.Errorf("secret %s was not assigned", flag)
}

// ownedByVM: a Secret edited without --force must be the VM's own, so that a
// Secret several VMs share is not changed by accident.
func ownedByVM(obj metav1.Object, vm *virtv1.VirtualMachine) bool {
	for _, o := range obj.GetOwnerReferences() {
		if o.Kind == "VirtualMachine" && o.Name == vm.Name && o.UID == vm.UID {
			return true
		}
	}
	return false
}

func lineHasKey(line, key string) bool {
	return strings.HasPrefix(strings.TrimSpace(line), strings.TrimSpace(key))
}

// secretHasKey says whether a line of some value starts with key.
func secretHasKey(data map[string][]byte, key string) bool {
	for _, v := range data {
		for _, line := range strings.Split(string(v), "\n") {
			if lineHasKey(line, key) {
				return true
			}
		}
	}
	return false
}

// withoutKey drops the lines that start with key, and empty lines.
func withoutKey(key string, data []byte) []byte {
	var keep []string
	for _, line := range strings.Split(string(data), "\n") {
		if !lineHasKey(line, key) && strings.TrimSpace(line) != "" {
			keep = append(keep, line)
		}
	}
	return []byte(strings.Join(keep, "\n"))
}

func randomKeyName() string { return "ssh-key-" + rand.String(6) }

// newKeySecret is a Secret owned (controlled) by vm holding key.
func newKeySecret(vm *virtv1.VirtualMachine, key string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: vm.Name + "-ssh-key-",
			Namespace:    vm.Namespace,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: virtv1.SchemeGroupVersion.String(), Kind: "VirtualMachine",
				Name: vm.Name, UID: vm.UID, Controller: ptr.To(true)}},
		},
		Data: map[string][]byte{randomKeyName(): []byte(key)},
	}
}

// newSSHCredential pushes the keys of secret to user through the guest agent.
func newSSHCredential(secret, user string) virtv1.AccessCredential {
	return virtv1.AccessCredential{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
		Source: virtv1.SSHPublicKeyAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: secret}},
		PropagationMethod: virtv1.SSHPublicKeyAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation{Users: []string{user}}},
	}}
}

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

func marshal(ops ...patchOp) []byte {
	b, err := json.Marshal(ops)
	if err != nil {
		// Only plain values are marshalled.
		panic(err)
	}
	return b
}

// appendCredentialPatch adds ac to the VM template's list; withList first
// creates the list (guarded by a test that it is absent).
func appendCredentialPatch(ac virtv1.AccessCredential, withList bool) []byte {
	const path = "/spec/template/spec/accessCredentials"
	add := patchOp{Op: "add", Path: path + "/-", Value: ac}
	if !withList {
		return marshal(add)
	}
	return marshal(patchOp{Op: "test", Path: path, Value: nil}, patchOp{Op: "add", Path: path, Value: []any{}}, add)
}

// addDataPatch sets /data/<key>; withData first creates /data.
func addDataPatch(key string, value []byte, withData bool) []byte {
	add := patchOp{Op: "add", Path: "/data/" + key, Value: value}
	if !withData {
		return marshal(add)
	}
	return marshal(patchOp{Op: "test", Path: "/data", Value: nil}, patchOp{Op: "add", Path: "/data", Value: map[string]any{}}, add)
}
