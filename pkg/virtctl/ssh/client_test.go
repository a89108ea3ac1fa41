package ssh

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"kvirt.io/kvirt/pkg/command"
)

// fakeGuest is an ssh server that knows a few commands: uname -a, exit N
// (only 7), cat > 'PATH' and cat 'PATH' on an in-memory file system.
type fakeGuest struct {
	cfg   *ssh.ServerConfig
	mu    sync.Mutex
	files map[string][]byte
}

func newFakeGuest(t *testing.T, authorized ssh.PublicKey) *fakeGuest {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	host, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	g := &fakeGuest{files: map[string][]byte{}}
	g.cfg = &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if bytes.Equal(k.Marshal(), authorized.Marshal()) {
			return nil, nil
		}
		return nil, errors.New("unknown key")
	}}
	g.cfg.AddHostKey(host)
	return g
}

func (g *fakeGuest) serve(conn net.Conn) {
	_, chans, reqs, err := ssh.NewServerConn(conn, g.cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go g.session(ch, chReqs)
	}
}

func (g *fakeGuest) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer func() { _ = ch.Close() }()
	for r := range reqs {
		if r.Type != "exec" {
			_ = r.Reply(false, nil)
			continue
		}
		_ = r.Reply(true, nil)
		cmd := string(r.Payload[4:])
		status := uint32(0)
		switch {
		case cmd == "uname -a":
			_, _ = io.WriteString(ch, "Linux fakeguest\n")
		case cmd == "exit 7":
			status = 7
		case strings.HasPrefix(cmd, "cat > "):
			data, _ := io.ReadAll(ch)
			g.mu.Lock()
			g.files[strings.Trim(cmd[len("cat > "):], "'")] = data
			g.mu.Unlock()
		case strings.HasPrefix(cmd, "cat "):
			g.mu.Lock()
			data, ok := g.files[strings.Trim(cmd[len("cat "):], "'")]
			g.mu.Unlock()
			if !ok {
				_, _ = io.WriteString(ch.Stderr(), "no such file")
				status = 1
			}
			_, _ = ch.Write(data)
		}
		_, _ = ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, status))
		return
	}
}

// TestClientAgainstGuest: key login, host key recorded on first use and
// accepted next time, a changed host key refused, a command's output and
// exit status, and a file copied in and out unchanged.
func TestClientAgainstGuest(t *testing.T) {
	dir := t.TempDir()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "id")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	guest := newFakeGuest(t, sshPub)
	var warnings bytes.Buffer
	o := Options{IdentityFile: keyFile, KnownHosts: filepath.Join(dir, "kh"), Port: 22, Stderr: &warnings}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	// A loopback connection stands in for the port-forward stream (a
	// synchronous net.Pipe would deadlock both sides' version lines).
	connect := func(g *fakeGuest) (*ssh.Client, error) {
		a, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return nil, err
		}
		b, err := ln.Accept()
		if err != nil {
			return nil, err
		}
		go g.serve(b)
		return Connect(a, "vmi/web.ns", "root", o)
	}
	client, err := connect(guest)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Close() }()
	if !strings.Contains(warnings.String(), "permanently added 'vmi/web.ns:22'") {
		t.Errorf("first connection warned %q", warnings.String())
	}
	var out bytes.Buffer
	if err := Run(client, "uname -a", os.Stdin, &out, io.Discard); err != nil || out.String() != "Linux fakeguest\n" {
		t.Errorf("uname -a: %q, %v", out.String(), err)
	}
	var exit *command.ExitError
	if err := Run(client, "exit 7", os.Stdin, io.Discard, io.Discard); !errors.As(err, &exit) || exit.Code != 7 {
		t.Errorf("exit 7: %v, want ExitError 7", err)
	}
	data := bytes.Repeat([]byte("kvirt\x00\xff"), 50000)
	in, back := filepath.Join(dir, "in"), filepath.Join(dir, "back")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Upload(client, in, "/tmp/it's here"); err != nil {
		t.Fatal(err)
	}
	if err := Download(client, "/tmp/it's here", back); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(back); !bytes.Equal(got, data) {
		t.Errorf("copied back %d bytes, sent %d", len(got), len(data))
	}
	if err := Download(client, "/nonexistent", filepath.Join(dir, "x")); err == nil {
		t.Error("download of a missing file: no error")
	}
	// The known host is accepted again; another guest behind the same alias
	// (a changed host key) is refused.
	again, err := connect(guest)
	if err != nil {
		t.Fatalf("second connection: %v", err)
	}
	_ = again.Close()
	if _, err := connect(newFakeGuest(t, sshPub)); err == nil {
		t.Error("a changed host key was accepted")
	}
}
