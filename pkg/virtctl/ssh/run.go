package ssh

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/term"

	"kvirt.io/kvirt/pkg/command"
)

// streamConn is a port-forward stream as the net.Conn the ssh package wants.
type streamConn struct{ io.ReadWriteCloser }

type pfAddr struct{}

func (pfAddr) Network() string { return "portforward" }
func (pfAddr) String() string  { return "portforward" }

func (streamConn) LocalAddr() net.Addr              { return pfAddr{} }
func (streamConn) RemoteAddr() net.Addr             { return pfAddr{} }
func (streamConn) SetDeadline(time.Time) error      { return nil }
func (streamConn) SetReadDeadline(time.Time) error  { return nil }
func (streamConn) SetWriteDeadline(time.Time) error { return nil }

// exitCode turns a remote command's failure into virtctl's exit status, as
// ssh does: the command's own status, or 255 when it died without one.
func exitCode(err error) error {
	var exit *ssh.ExitError
	if errors.As(err, &exit) {
		return &command.ExitError{Code: exit.ExitStatus()}
	}
	var missing *ssh.ExitMissingError
	if errors.As(err, &missing) {
		return &command.ExitError{Code: 255}
	}
	return err
}

// Run runs cmd on the guest (a shell with a terminal when cmd is empty),
// wired to stdin, stdout and stderr; a failing command's status becomes
// virtctl's.
func Run(client *ssh.Client, cmd string, stdin *os.File, stdout, stderr io.Writer) error {
	sess, err := client.NewSession()
	if err != nil {
		return fmt.Errorf("ssh session: %w", err)
	}
	defer func() { _ = sess.Close() }()
	sess.Stdout, sess.Stderr = stdout, stderr
	// Standard input is copied without being waited for: the session ends
	// when the remote command does, as OpenSSH's, not when stdin does.
	in, err := sess.StdinPipe()
	if err != nil {
		return fmt.Errorf("ssh stdin: %w", err)
	}
	go func() { _, _ = io.Copy(in, stdin); _ = in.Close() }()
	if cmd != "" {
		return exitCode(sess.Run(cmd))
	}
	fd := int(stdin.Fd())
	if term.IsTerminal(fd) {
		w, h, err := term.GetSize(fd)
		if err != nil {
			w, h = 80, 24
		}
		if err := sess.RequestPty(termType(), h, w, ssh.TerminalModes{ssh.ECHO: 1}); err != nil {
			return fmt.Errorf("ssh pty: %w", err)
		}
		old, err := term.MakeRaw(fd)
		if err == nil {
			defer func() { _ = term.Restore(fd, old) }()
		}
	}
	if err := sess.Shell(); err != nil {
		return fmt.Errorf("ssh shell: %w", err)
	}
	return exitCode(sess.Wait())
}

func termType() string {
	if t := os.Getenv("TERM"); t != "" {
		return t
	}
	return "xterm"
}

// Upload writes the local file to path on the guest.
func Upload(client *ssh.Client, local, path string) error {
	f, err := os.Open(local)
	if err != nil {
		return fmt.Errorf("scp: %w", err)
	}
	defer func() { _ = f.Close() }()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("scp: %s is a directory (--recursive is not supported)", local)
	}
	return remote(client, "cat > "+shellQuote(path), f, nil)
}

// Download writes path on the guest to the local file.
func Download(client *ssh.Client, path, local string) error {
	if st, err := os.Stat(local); err == nil && st.IsDir() {
		local = local + string(os.PathSeparator) + baseName(path)
	}
	f, err := os.Create(local)
	if err != nil {
		return fmt.Errorf("scp: %w", err)
	}
	if err := remote(client, "cat "+shellQuote(path), nil, f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("scp: %w", err)
	}
	return nil
}

// remote runs one transfer command with stdin from in or stdout to out.
func remote(client *ssh.Client, cmd string, in io.Reader, out io.Writer) error {
	sess, err := client.NewSession()
	if err != nil {
		return fmt.Errorf("ssh session: %w", err)
	}
	defer func() { _ = sess.Close() }()
	var stderr limitedBuffer
	sess.Stdin, sess.Stdout, sess.Stderr = in, out, &stderr
	if err := sess.Run(cmd); err != nil {
		return fmt.Errorf("scp: %s: %w", stderr.String(), exitCode(err))
	}
	return nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// limitedBuffer keeps the first 4 KiB of the remote's complaints.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }
