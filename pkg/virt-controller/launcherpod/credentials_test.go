package launcherpod

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func sshCred(secret string, agent bool) virtv1.AccessCredential {
	ac := virtv1.AccessCredential{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
		Source: virtv1.SSHPublicKeyAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: secret}}}}
	if agent {
		ac.SSHPublicKey.PropagationMethod.QemuGuestAgent = &virtv1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation{
			Users: []string{"kvirt"}}
	} else {
		ac.SSHPublicKey.PropagationMethod.NoCloud = &virtv1.NoCloudSSHPublicKeyAccessCredentialPropagation{}
	}
	return ac
}

// TestRenderAccessCredentials: each Secret of an agent-propagated credential is
// mounted once, read-only, under its name; others are not mounted.
func TestRenderAccessCredentials(t *testing.T) {
	vmi := baseVMI()
	pw := virtv1.AccessCredential{UserPassword: &virtv1.UserPasswordAccessCredential{
		Source: virtv1.UserPasswordAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: "pw"}},
		PropagationMethod: virtv1.UserPasswordAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentUserPasswordAccessCredentialPropagation{}}}}
	vmi.Spec.AccessCredentials = []virtv1.AccessCredential{sshCred("keys", true), sshCred("keys", true),
		sshCred("cloud", false), pw}
	pod := Render(vmi, Config{DisableSerialConsoleLog: true})
	secrets := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		if v.Secret != nil {
			secrets[v.Name] = v.Secret.SecretName
		}
	}
	if want := map[string]string{"access-cred-0": "keys", "access-cred-1": "pw"}; !reflect.DeepEqual(secrets, want) {
		t.Errorf("secret volumes = %v, want %v", secrets, want)
	}
	var got []corev1.VolumeMount
	for _, m := range pod.Spec.Containers[0].VolumeMounts {
		if m.Name == "access-cred-0" || m.Name == "access-cred-1" {
			got = append(got, m)
		}
	}
	want := []corev1.VolumeMount{
		{Name: "access-cred-0", MountPath: "/var/run/kvirt-private/access-credentials/keys", ReadOnly: true},
		{Name: "access-cred-1", MountPath: "/var/run/kvirt-private/access-credentials/pw", ReadOnly: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mounts = %v, want %v", got, want)
	}
	args := pod.Spec.Containers[0].Args
	if args[len(args)-2] != "--access-credentials-dir" || args[len(args)-1] != AccessCredentialsMountPath {
		t.Errorf("args = %v, want --access-credentials-dir last", args)
	}
}
