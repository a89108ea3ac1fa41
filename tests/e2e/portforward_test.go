package e2e

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"kvirt.io/kvirt/tests/framework/poll"
)

// guestAccessTimeout is how long a freshly booted guest may take before its
// ssh and http servers answer through the port-forward (TCG, generous).
const guestAccessTimeout = 4 * time.Minute

// sshKey writes a new ed25519 private key under dir and returns its path and
// the authorized_keys line of its public half.
func sshKey(t *testing.T, dir string) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

// accessVM starts the example test guest VM with key authorized for root
// (cloud-config ssh_authorized_keys) and waits for its ssh and http servers
// to be up on the console.
func accessVM(t *testing.T, ns, key string) {
	t.Helper()
	manifest := strings.Replace(example(t, "vm-testguest.yaml"), "runStrategy: Halted", "runStrategy: Always", 1)
	manifest = strings.Replace(manifest, "            #!/bin/sh\n            echo 'printed from cloud-init userdata'\n",
		"            #cloud-config\n            ssh_authorized_keys:\n              - "+key+"\n", 1)
	if !strings.Contains(manifest, key) {
		t.Fatal("the example VM's user data changed: cannot add the ssh key")
	}
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	waitRunning(t, ns, "testvm")
	consoleUntil(t, ns, "testvm", "KVIRT-GUEST-SSHD 22", "KVIRT-GUEST-HTTPD 80")
}

// TestVirtctlGuestAccess: `virtctl port-forward` reaches the guest's http
// server from the host, `virtctl ssh -c "uname -a"` prints the guest's
// uname, and `virtctl scp` copies a file in and back out unchanged — all
// through the portforward subresource (virtctl -> apiserver -> virt-api ->
// virt-handler -> the launcher pod's network namespace -> the guest).
func TestVirtctlGuestAccess(t *testing.T) {
	ns := newNamespace(t)
	dir := t.TempDir()
	identity, key := sshKey(t, dir)
	accessVM(t, ns, key)
	sshArgs := []string{"-i", identity, "--known-hosts", filepath.Join(dir, "known_hosts")}

	t.Run("port-forward http", func(t *testing.T) {
		port := startPortForward(t, ns, "vm/testvm", "0:80")
		poll.Eventually(t, guestAccessTimeout, "the guest's http server through virtctl port-forward", func() error {
			c := http.Client{Timeout: 20 * time.Second}
			resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
			if err != nil {
				return err
			}
			defer func() { _ = resp.Body.Close() }()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			if !strings.Contains(string(body), "kvirt test guest") {
				return fmt.Errorf("%s: %q", resp.Status, body)
			}
			return nil
		})
	})

	t.Run("ssh uname", func(t *testing.T) {
		var out string
		poll.Eventually(t, guestAccessTimeout, "virtctl ssh -c 'uname -a'", func() error {
			var err error
			out, err = virtctl(t, append([]string{"-n", ns, "ssh", "root@vm/testvm", "-c", "uname -a"}, sshArgs...)...)
			if err != nil {
				return fmt.Errorf("%w: %s", err, out)
			}
			return nil
		})
		if !strings.Contains(out, "Linux") {
			t.Fatalf("virtctl ssh -c 'uname -a' printed %q", out)
		}
		t.Logf("guest: %s", strings.TrimSpace(out))
		// The remote command's status is virtctl's.
		cmd := exec.CommandContext(ctx(t), e.virtctl, append([]string{"--kubeconfig", e.kubeconfig, "-n", ns, "ssh",
			"root@vm/testvm", "-c", "exit 7"}, sshArgs...)...)
		if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 7 {
			t.Errorf("virtctl ssh -c 'exit 7': %v, want exit status 7", err)
		}
	})

	t.Run("scp in and out", func(t *testing.T) {
		data := make([]byte, 256<<10)
		if _, err := rand.Read(data); err != nil {
			t.Fatal(err)
		}
		in, back := filepath.Join(dir, "in.bin"), filepath.Join(dir, "back.bin")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		poll.Eventually(t, guestAccessTimeout, "virtctl scp into the guest", func() error {
			out, err := virtctl(t, append([]string{"-n", ns, "scp", in, "root@vm/testvm:/tmp/copied.bin"}, sshArgs...)...)
			if err != nil {
				return fmt.Errorf("%w: %s", err, out)
			}
			return nil
		})
		virtctlIn(t, ns, append([]string{"scp", "root@vm/testvm:/tmp/copied.bin", back}, sshArgs...)...)
		got, err := os.ReadFile(back)
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("copied back %d bytes with sha256 %x, sent %d with %x", len(got), sha256.Sum256(got), len(data), sha256.Sum256(data))
		}
		sum := strings.Fields(virtctlIn(t, ns, append([]string{"ssh", "root@vm/testvm", "-c", "sha256sum /tmp/copied.bin"}, sshArgs...)...))
		if len(sum) == 0 || sum[0] != fmt.Sprintf("%x", sha256.Sum256(data)) {
			t.Errorf("the guest's sha256sum of the copy: %v", sum)
		}
	})
}

var forwardingFrom = regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+) -> `)

// startPortForward runs `virtctl port-forward target ports` until the test
// ends and returns the local port it printed.
func startPortForward(t *testing.T, ns, target, ports string) int {
	t.Helper()
	cmd := exec.CommandContext(ctx(t), e.virtctl, "--kubeconfig", e.kubeconfig, "-n", ns, "port-forward", target, ports)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stderr).ReadString('\n')
	m := forwardingFrom.FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("virtctl port-forward printed %q (%v)", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	var port int
	_, _ = fmt.Sscan(m[1], &port)
	return port
}
