package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	virtv1 "kvirt.io/api/core/v1"
)

func sshAC(secret string, users ...string) virtv1.AccessCredential {
	return virtv1.AccessCredential{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
		Source: virtv1.SSHPublicKeyAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: secret}},
		PropagationMethod: virtv1.SSHPublicKeyAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation{Users: users}}}}
}

func pwAC(secret string) virtv1.AccessCredential {
	return virtv1.AccessCredential{UserPassword: &virtv1.UserPasswordAccessCredential{
		Source: virtv1.UserPasswordAccessCredentialSource{Secret: &virtv1.AccessCredentialSecretSource{SecretName: secret}},
		PropagationMethod: virtv1.UserPasswordAccessCredentialPropagationMethod{
			QemuGuestAgent: &virtv1.QemuGuestAgentUserPasswordAccessCredentialPropagation{}}}}
}

// mount writes a fake mounted Secret: files behind a ..data link, as the kubelet does.
func mount(t *testing.T, dir, name string, data map[string]string) {
	t.Helper()
	real := filepath.Join(dir, name, "..2026_data")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, v := range data {
		if err := os.WriteFile(filepath.Join(real, k), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = os.Symlink(filepath.Join("..data", k), filepath.Join(dir, name, k))
	}
	_ = os.Symlink("..2026_data", filepath.Join(dir, name, "..data"))
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	mount(t, dir, "keys", map[string]string{"a": "ssh-ed25519 AAA a\n\n# comment\nssh-rsa BBB b\n", "b": "ssh-ed25519 AAA a"})
	mount(t, dir, "more", map[string]string{"c": "ssh-ed25519 CCC c"})
	mount(t, dir, "pw", map[string]string{"root": "s3cret\n", "kvirt": "pw2"})
	d, err := Read(dir, []virtv1.AccessCredential{sshAC("keys", "kvirt", "root"), sshAC("more", "kvirt"), pwAC("pw")})
	if err != nil {
		t.Fatal(err)
	}
	want := Desired{
		Keys: map[string][]string{
			"kvirt": {"ssh-ed25519 AAA a", "ssh-ed25519 CCC c", "ssh-rsa BBB b"},
			"root":  {"ssh-ed25519 AAA a", "ssh-rsa BBB b"},
		},
		Passwords: map[string]string{"root": "s3cret", "kvirt": "pw2"},
	}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("Read = %v, want %v", d, want)
	}
	if _, err := Read(dir, []virtv1.AccessCredential{sshAC("missing", "kvirt")}); err == nil {
		t.Fatal("a Secret that is not mounted reads without error")
	}
	if _, err := Read(dir, []virtv1.AccessCredential{sshAC("../keys", "kvirt")}); err == nil {
		t.Fatal("a secret name with a slash is read")
	}
}

func TestCommands(t *testing.T) {
	cmds := Commands(Desired{Keys: map[string][]string{"b": {"k2"}, "a": {"k1"}}, Passwords: map[string]string{"root": "pw"}})
	raw, _ := json.Marshal(cmds)
	want := `[{"execute":"guest-ssh-add-authorized-keys","arguments":{"keys":["k1"],"reset":true,"username":"a"}},` +
		`{"execute":"guest-ssh-add-authorized-keys","arguments":{"keys":["k2"],"reset":true,"username":"b"}},` +
		`{"execute":"guest-set-user-password","arguments":{"crypted":false,"password":"cHc=","username":"root"}}]`
	if string(raw) != want {
		t.Fatalf("commands = %s\nwant %s", raw, want)
	}
}

type fakeAgent struct {
	mu   sync.Mutex
	fail error
	cmds []string
}

func (f *fakeAgent) AgentCommand(cmd string, _ time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, cmd)
	return `{"return":{}}`, f.fail
}

func (f *fakeAgent) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cmds)
}

// TestManagerSync: a failed push is reported with the agent's error and
// retried; a successful one is not repeated until a file changes or Kick.
func TestManagerSync(t *testing.T) {
	dir := t.TempDir()
	mount(t, dir, "keys", map[string]string{"a": "ssh-ed25519 AAA a"})
	ag := &fakeAgent{fail: errors.New("guest agent is not connected")}
	m := New(Config{Dir: dir, Agent: ag})
	ctx := context.Background()
	m.sync(ctx)
	if m.Status() != nil {
		t.Fatalf("status before SetSpec = %v", m.Status())
	}
	m.SetSpec([]virtv1.AccessCredential{sshAC("keys", "kvirt")})
	m.sync(ctx)
	if st := m.Status(); st == nil || st.Succeeded || st.Message == "" {
		t.Fatalf("status after a failed push = %v", st)
	}
	ag.mu.Lock()
	ag.fail = nil
	ag.mu.Unlock()
	m.sync(ctx)
	if st := m.Status(); st == nil || !st.Succeeded {
		t.Fatalf("status after a push = %v", st)
	}
	n := ag.count()
	m.sync(ctx)
	if ag.count() != n {
		t.Fatal("an unchanged secret was pushed again")
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "..2026_data", "a"), []byte("ssh-ed25519 BBB b"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.sync(ctx)
	if ag.count() != n+1 {
		t.Fatalf("a changed secret was not pushed: %d commands, want %d", ag.count(), n+1)
	}
	m.Kick()
	m.sync(ctx)
	if ag.count() != n+2 {
		t.Fatal("Kick did not push again")
	}
}
