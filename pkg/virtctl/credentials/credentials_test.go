package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"

	virtv1 "kvirt.io/api/core/v1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
)

func vmWith(acs ...virtv1.AccessCredential) *virtv1.VirtualMachine {
	return &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns", UID: "vm-uid"},
		Spec: virtv1.VirtualMachineSpec{Template: &virtv1.VirtualMachineInstanceTemplateSpec{
			Spec: virtv1.VirtualMachineInstanceSpec{AccessCredentials: acs}}},
	}
}

func ownedSecret(name string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns",
		OwnerReferences: []metav1.OwnerReference{{Kind: "VirtualMachine", Name: "vm", UID: "vm-uid"}}}, Data: data}
}

func testCmd() (*cobra.Command, *bytes.Buffer) {
	cmd := &cobra.Command{}
	out := &bytes.Buffer{}
	cmd.SetOut(out)
	cmd.SetContext(context.Background())
	return cmd, out
}

func TestSecretsForUser(t *testing.T) {
	other := newSSHCredential("other", "root")
	cloud := newSSHCredential("cloud", "kvirt")
	cloud.SSHPublicKey.PropagationMethod = virtv1.SSHPublicKeyAccessCredentialPropagationMethod{
		NoCloud: &virtv1.NoCloudSSHPublicKeyAccessCredentialPropagation{}}
	acs := []virtv1.AccessCredential{newSSHCredential("a", "kvirt"), other, cloud, newSSHCredential("b", "kvirt")}
	if got := strings.Join(sshSecretsForUser(acs, "kvirt"), ","); got != "a,b" {
		t.Fatalf("secrets = %s, want a,b", got)
	}
	if _, err := pickSecret("", []string{"a", "b"}); err == nil {
		t.Fatal("two secrets without --secret picked one")
	}
	if s, err := pickSecret("b", []string{"a", "b"}); err != nil || s != "b" {
		t.Fatalf("pickSecret = %s, %v", s, err)
	}
	if _, err := pickSecret("c", []string{"a", "b"}); err == nil {
		t.Fatal("an unassigned --secret was accepted")
	}
}

func TestWithoutKey(t *testing.T) {
	got := string(withoutKey("ssh-rsa AAA", []byte("ssh-rsa AAA me\n\nssh-ed25519 BBB you\n")))
	if got != "ssh-ed25519 BBB you" {
		t.Fatalf("withoutKey = %q", got)
	}
	if !secretHasKey(map[string][]byte{"k": []byte("x\nssh-rsa AAA me")}, "ssh-rsa AAA") {
		t.Fatal("secretHasKey misses a key on a later line")
	}
}

// TestAddKey: a user with no Secret gets a new one owned by the VM and a
// credential in the template; a user with one gets the key added to it, but
// only to a Secret the VM owns unless --force.
func TestAddKey(t *testing.T) {
	kv := kvirtfake.NewSimpleClientset(vmWith())
	kube := kubefake.NewSimpleClientset()
	cl := &clients{kube: kube, kvirt: kv, ns: "ns"}
	cmd, _ := testCmd()
	f := &addKeyFlags{keyFlags: keyFlags{user: "kvirt"}}
	if err := addKey(cmd, cl, "vm", f, "ssh-ed25519 AAA me"); err != nil {
		t.Fatal(err)
	}
	secrets, _ := kube.CoreV1().Secrets("ns").List(context.Background(), metav1.ListOptions{})
	if len(secrets.Items) != 1 || !ownedByVM(&secrets.Items[0], vmWith()) {
		t.Fatalf("secrets = %v, want one owned by the VM", secrets.Items)
	}

	kv = kvirtfake.NewSimpleClientset(vmWith(newSSHCredential("keys", "kvirt")),
		&virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns"}})
	foreign := ownedSecret("keys", map[string][]byte{"k": []byte("ssh-rsa OLD")})
	foreign.OwnerReferences = nil
	kube = kubefake.NewSimpleClientset(foreign)
	cl = &clients{kube: kube, kvirt: kv, ns: "ns"}
	if err := addKey(cmd, cl, "vm", f, "ssh-ed25519 NEW"); err == nil || !strings.Contains(err.Error(), "owner reference") {
		t.Fatalf("adding to a foreign secret = %v, want the owner reference error", err)
	}
	f.force = true
	if err := addKey(cmd, cl, "vm", f, "ssh-ed25519 NEW"); err != nil {
		t.Fatal(err)
	}
	s, _ := kube.CoreV1().Secrets("ns").Get(context.Background(), "keys", metav1.GetOptions{})
	if len(s.Data) != 2 || !secretHasKey(s.Data, "ssh-ed25519 NEW") {
		t.Fatalf("secret data = %v, want the old and the new key", s.Data)
	}
	f.createSecret, f.force = true, false
	if err := addKey(cmd, cl, "vm", f, "ssh-ed25519 NEW2"); err == nil || !strings.Contains(err.Error(), "is running") {
		t.Fatalf("--create-secret on a running VM = %v, want refused", err)
	}
}

func TestRemoveKeyAndSetPassword(t *testing.T) {
	pw := virtv1.AccessCredential{UserPassword: &virtv1.UserPasswordAccessCredential{
		Source: virtv1.UserPasswordAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "pw"}},
		PropagationMethod: virtv1.UserPasswordAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentUserPasswordAccessCredentialPropagation{}}}}
	kv := kvirtfake.NewSimpleClientset(vmWith(newSSHCredential("keys", "kvirt"), pw))
	kube := kubefake.NewSimpleClientset(
		ownedSecret("keys", map[string][]byte{"a": []byte("ssh-rsa AAA"), "b": []byte("ssh-rsa BBB\nssh-rsa AAA x")}),
		ownedSecret("pw", map[string][]byte{"root": []byte("old")}))
	cl := &clients{kube: kube, kvirt: kv, ns: "ns"}
	cmd, _ := testCmd()
	if err := removeKey(cmd, cl, "vm", &keyFlags{user: "kvirt"}, "ssh-rsa AAA"); err != nil {
		t.Fatal(err)
	}
	s, _ := kube.CoreV1().Secrets("ns").Get(context.Background(), "keys", metav1.GetOptions{})
	if raw, _ := json.Marshal(s.Data); string(raw) != `{"b":"c3NoLXJzYSBCQkI="}` {
		t.Fatalf("secret data after remove = %s", raw)
	}
	name, err := setPassword(context.Background(), cl, "vm", &keyFlags{user: "kvirt"}, "new")
	if err != nil || name != "pw" {
		t.Fatalf("setPassword = %s, %v", name, err)
	}
}
