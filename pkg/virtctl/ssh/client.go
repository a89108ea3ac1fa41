package ssh

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
	"golang.org/x/term"
)

// Options are the ssh flags upstream's virtctl has.
type Options struct {
	// IdentityFile is a private key; empty tries ~/.ssh/id_ed25519,
	// id_ecdsa and id_rsa, and the agent at SSH_AUTH_SOCK.
	IdentityFile string
	// KnownHosts is the known_hosts file (upstream's default
	// ~/.ssh/kubevirt_known_hosts).
	KnownHosts string
	// Port is the guest's ssh port.
	Port uint16
	// Username logs in when the destination names no user.
	Username string
	// Prompt asks whether to trust a host key not in KnownHosts; nil (no
	// terminal) trusts and records it, as OpenSSH's accept-new.
	Prompt func(question string) bool
	// Stderr takes warnings.
	Stderr io.Writer
}

// DefaultKnownHosts is upstream's known_hosts file for virtctl ssh.
func DefaultKnownHosts() string {
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".ssh", "kubevirt_known_hosts")
}

// authMethods are the keys to offer.
func (o Options) authMethods() ([]ssh.AuthMethod, error) {
	var signers []ssh.Signer
	files := []string{o.IdentityFile}
	if o.IdentityFile == "" {
		home, _ := os.UserHomeDir()
		files = []string{filepath.Join(home, ".ssh", "id_ed25519"), filepath.Join(home, ".ssh", "id_ecdsa"),
			filepath.Join(home, ".ssh", "id_rsa")}
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			if o.IdentityFile != "" {
				return nil, fmt.Errorf("identity file: %w", err)
			}
			continue
		}
		s, err := ssh.ParsePrivateKey(raw)
		if err != nil {
			return nil, fmt.Errorf("identity file %s: %w", f, err)
		}
		signers = append(signers, s)
	}
	methods := []ssh.AuthMethod{}
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" && o.IdentityFile == "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
		}
	}
	if len(methods) == 0 {
		return nil, errors.New("no ssh key: pass --identity-file")
	}
	return methods, nil
}

// hostKeyCallback checks host keys against KnownHosts; a host not in it is
// asked about (or trusted, without a prompt) and recorded; a changed key is
// refused.
func (o Options) hostKeyCallback() (ssh.HostKeyCallback, error) {
	path := o.KnownHosts
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("known hosts: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("known hosts: %w", err)
	}
	_ = f.Close()
	check, err := knownhosts.New(path)
	if err != nil {
		return nil, fmt.Errorf("known hosts %s: %w", path, err)
	}
	return func(host string, _ net.Addr, key ssh.PublicKey) error {
		// The guest is known by its alias only: a port-forward stream has no
		// remote address worth recording.
		err := check(host, &net.TCPAddr{}, key)
		var kerr *knownhosts.KeyError
		if !errors.As(err, &kerr) || len(kerr.Want) > 0 {
			return err // nil, or a changed key
		}
		fp := ssh.FingerprintSHA256(key)
		if o.Prompt != nil && !o.Prompt(fmt.Sprintf("The authenticity of host '%s' can't be established.\n"+
			"%s key fingerprint is %s.\nAre you sure you want to continue connecting (yes/no)? ", host, key.Type(), fp)) {
			return errors.New("host key verification failed")
		}
		if o.Prompt == nil && o.Stderr != nil {
			_, _ = fmt.Fprintf(o.Stderr, "Warning: permanently added '%s' (%s %s) to %s.\n", host, key.Type(), fp, path)
		}
		return appendKnownHost(path, host, key)
	}, nil
}

func appendKnownHost(path, host string, key ssh.PublicKey) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	defer func() { _ = f.Close() }()
	if _, err := fmt.Fprintln(f, knownhosts.Line([]string{host}, key)); err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	return nil
}

// TerminalPrompt asks on the terminal when stdin is one, else nil.
func TerminalPrompt(in *os.File, out io.Writer) func(string) bool {
	if !term.IsTerminal(int(in.Fd())) {
		return nil
	}
	return func(q string) bool {
		_, _ = fmt.Fprint(out, q)
		line, _ := bufio.NewReader(in).ReadString('\n')
		return strings.TrimSpace(strings.ToLower(line)) == "yes"
	}
}

// Connect runs the ssh handshake over stream as user. hostAlias names the
// guest in known_hosts (vmi/NAME.NAMESPACE, as upstream's).
func Connect(stream io.ReadWriteCloser, hostAlias, user string, o Options) (*ssh.Client, error) {
	auth, err := o.authMethods()
	if err != nil {
		return nil, err
	}
	hostKey, err := o.hostKeyCallback()
	if err != nil {
		return nil, err
	}
	cfg := &ssh.ClientConfig{User: user, Auth: auth, HostKeyCallback: hostKey}
	port := o.Port
	if port == 0 {
		port = 22
	}
	// known_hosts names the guest by its alias and port ([alias]:port unless 22).
	addr := net.JoinHostPort(hostAlias, strconv.Itoa(int(port)))
	conn, chans, reqs, err := ssh.NewClientConn(streamConn{stream}, addr, cfg)
	if err != nil {
		_ = stream.Close()
		return nil, fmt.Errorf("ssh to %s: %w", hostAlias, err)
	}
	return ssh.NewClient(conn, chans, reqs), nil
}
