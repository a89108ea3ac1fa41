package credentials

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	virtv1 "kvirt.io/api/core/v1"
)

// maxSecretFile bounds what is read of one file of a mounted Secret (a Secret
// is at most 1 MiB as a whole).
const maxSecretFile = 1 << 20

// Desired is what the guest must have: each user's whole set of authorized
// keys (the agent replaces the file's content) and each user's password.
type Desired struct {
	// Keys maps a user to its authorized keys, sorted, without duplicates.
	Keys map[string][]string
	// Passwords maps a user to the password to set.
	Passwords map[string]string
}

// Empty says whether nothing is to be propagated.
func (d Desired) Empty() bool { return len(d.Keys) == 0 && len(d.Passwords) == 0 }

// SecretNames lists the Secrets the agent-propagated credentials of spec read,
// each once, in spec order: the launcher pod mounts each under its name.
func SecretNames(acs []virtv1.AccessCredential) []string {
	var names []string
	seen := map[string]bool{}
	add := func(s *virtv1.AccessCredentialSecretSource) {
		if s != nil && s.SecretName != "" && !seen[s.SecretName] {
			seen[s.SecretName] = true
			names = append(names, s.SecretName)
		}
	}
	for _, ac := range acs {
		if ac.SSHPublicKey != nil && ac.SSHPublicKey.PropagationMethod.QemuGuestAgent != nil {
			add(ac.SSHPublicKey.Source.Secret)
		}
		if ac.UserPassword != nil && ac.UserPassword.PropagationMethod.QemuGuestAgent != nil {
			add(ac.UserPassword.Source.Secret)
		}
	}
	return names
}

// Read computes the desired state from the Secrets mounted under dir (one
// directory per Secret name, one file per key, as the kubelet mounts them).
// As upstream: every non-empty line of every value of an sshPublicKey Secret is
// one key for each listed user; every key of a userPassword Secret is a user
// and its value the password.
func Read(dir string, acs []virtv1.AccessCredential) (Desired, error) {
	d := Desired{Keys: map[string][]string{}, Passwords: map[string]string{}}
	for _, ac := range acs {
		switch {
		case ac.SSHPublicKey != nil && ac.SSHPublicKey.PropagationMethod.QemuGuestAgent != nil &&
			ac.SSHPublicKey.Source.Secret != nil:
			files, err := readSecret(dir, ac.SSHPublicKey.Source.Secret.SecretName)
			if err != nil {
				return Desired{}, err
			}
			keys := authorizedKeys(files)
			for _, u := range ac.SSHPublicKey.PropagationMethod.QemuGuestAgent.Users {
				d.Keys[u] = append(d.Keys[u], keys...)
			}
		case ac.UserPassword != nil && ac.UserPassword.PropagationMethod.QemuGuestAgent != nil &&
			ac.UserPassword.Source.Secret != nil:
			files, err := readSecret(dir, ac.UserPassword.Source.Secret.SecretName)
			if err != nil {
				return Desired{}, err
			}
			for user, pw := range files {
				d.Passwords[user] = strings.TrimRight(pw, "\n")
			}
		}
	}
	for u, keys := range d.Keys {
		d.Keys[u] = sortedUnique(keys)
	}
	return d, nil
}

// readSecret reads the files of a mounted Secret, skipping the kubelet's own
// "..data" links and directories.
func readSecret(dir, name string) (map[string]string, error) {
	if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
		return nil, fmt.Errorf("invalid secret name %q", name)
	}
	root := filepath.Join(dir, name)
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "..") {
			continue
		}
		p := filepath.Join(root, e.Name())
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if st.Size() > maxSecretFile {
			return nil, fmt.Errorf("secret %s key %s: larger than %d bytes", name, e.Name(), maxSecretFile)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read secret %s key %s: %w", name, e.Name(), err)
		}
		files[e.Name()] = string(b)
	}
	return files, nil
}

// authorizedKeys splits values into keys: one per non-empty, non-comment line.
func authorizedKeys(files map[string]string) []string {
	var keys []string
	for _, v := range files {
		for _, line := range strings.Split(v, "\n") {
			line = strings.TrimSpace(line)
			if line != "" && !strings.HasPrefix(line, "#") {
				keys = append(keys, line)
			}
		}
	}
	return keys
}

func sortedUnique(in []string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// command is one agent command with its arguments.
type command struct {
	Execute   string         `json:"execute"`
	Arguments map[string]any `json:"arguments"`
}

// Commands are the agent commands that make the guest match d, users in a
// stable order: guest-ssh-add-authorized-keys with reset (the listed keys
// replace the user's file), and guest-set-user-password with a plain
// base64-encoded password.
func Commands(d Desired) []command {
	var cmds []command
	users := map[string]bool{}
	for u := range d.Keys {
		users[u] = true
	}
	for _, u := range sortedKeys(users) {
		keys := d.Keys[u]
		if keys == nil {
			keys = []string{}
		}
		cmds = append(cmds, command{Execute: "guest-ssh-add-authorized-keys",
			Arguments: map[string]any{"username": u, "keys": keys, "reset": true}})
	}
	pwUsers := map[string]bool{}
	for u := range d.Passwords {
		pwUsers[u] = true
	}
	for _, u := range sortedKeys(pwUsers) {
		cmds = append(cmds, command{Execute: "guest-set-user-password", Arguments: map[string]any{
			"username": u, "password": base64.StdEncoding.EncodeToString([]byte(d.Passwords[u])), "crypted": false}})
	}
	return cmds
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
