package podsocket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

// fakeCheck records the peer and returns err.
type fakeCheck struct {
	err  error
	seen []Peer
}

func (f *fakeCheck) Check(p Peer, _ Target) error {
	f.seen = append(f.seen, p)
	return f.err
}

// layout is a fake kubelet pods dir with two pods' socket volumes.
type layout struct {
	pods     string
	outside  string
	podA     types.UID
	podB     types.UID
	socketsA string
	socketsB string
}

func newLayout(t *testing.T) layout {
	t.Helper()
	base, err := os.MkdirTemp("", "kps") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	l := layout{pods: filepath.Join(base, "pods"), outside: filepath.Join(base, "out"), podA: "aaaa", podB: "bbbb"}
	l.socketsA = filepath.Dir(Path(l.pods, Target{PodUID: l.podA, Socket: "x"}))
	l.socketsB = filepath.Dir(Path(l.pods, Target{PodUID: l.podB, Socket: "x"}))
	for _, d := range []string{l.socketsA, l.socketsB, l.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// listen serves a socket that answers every connection with name.
func listen(t *testing.T, path, name string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = fmt.Fprint(c, name)
			_ = c.Close()
		}
	}()
}

func readAll(t *testing.T, c net.Conn) string {
	t.Helper()
	defer func() { _ = c.Close() }()
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	return string(buf[:n])
}

func TestDialConnectsToThePodsOwnSocket(t *testing.T) {
	l := newLayout(t)
	listen(t, filepath.Join(l.socketsA, "launcher.sock"), "A")
	check := &fakeCheck{}
	conn, peer, err := Dialer{PodsDir: l.pods, Check: check}.Dial(context.Background(),
		Target{PodUID: l.podA, Socket: "launcher.sock"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if got := readAll(t, conn); got != "A" {
		t.Fatalf("connected to %q, want A", got)
	}
	if peer.PID != int32(os.Getpid()) || peer.UID != uint32(os.Getuid()) || len(check.seen) != 1 {
		t.Fatalf("peer %+v (checked %v), want this process", peer, check.seen)
	}
}

func TestDialRefusesWhatTheTenantCouldRedirect(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, l layout)
	}{
		{"absolute symlink to another pod's socket", func(t *testing.T, l layout) {
			symlink(t, filepath.Join(l.socketsB, "launcher.sock"), filepath.Join(l.socketsA, "launcher.sock"))
		}},
		{"relative symlink to another pod's socket", func(t *testing.T, l layout) {
			rel, err := filepath.Rel(l.socketsA, filepath.Join(l.socketsB, "launcher.sock"))
			if err != nil {
				t.Fatal(err)
			}
			symlink(t, rel, filepath.Join(l.socketsA, "launcher.sock"))
		}},
		{"symlinked volume directory", func(t *testing.T, l layout) {
			if err := os.RemoveAll(l.socketsA); err != nil {
				t.Fatal(err)
			}
			symlink(t, l.socketsB, l.socketsA)
		}},
		{"symlink to a socket outside the pods dir", func(t *testing.T, l layout) {
			listen(t, filepath.Join(l.outside, "evil.sock"), "outside")
			symlink(t, filepath.Join(l.outside, "evil.sock"), filepath.Join(l.socketsA, "launcher.sock"))
		}},
		{"a regular file", func(t *testing.T, l layout) {
			if err := os.WriteFile(filepath.Join(l.socketsA, "launcher.sock"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			listen(t, filepath.Join(l.socketsB, "launcher.sock"), "B")
			tt.setup(t, l)
			conn, _, err := Dialer{PodsDir: l.pods, Check: &fakeCheck{}}.Dial(context.Background(),
				Target{PodUID: l.podA, Socket: "launcher.sock"})
			if err == nil {
				t.Fatalf("Dial succeeded and reached %q, want a refusal", readAll(t, conn))
			}
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("Dial error %v is not a refusal", err)
			}
		})
	}
}

func TestDialRefusesPathElementsLeavingThePod(t *testing.T) {
	l := newLayout(t)
	listen(t, filepath.Join(l.outside, "evil.sock"), "outside")
	for _, target := range []Target{
		{PodUID: "../out", Socket: "evil.sock"},
		{PodUID: l.podA, Socket: "../../../../../out/evil.sock"},
		{PodUID: l.podA, Socket: ".."},
		{PodUID: "", Socket: "launcher.sock"},
	} {
		if _, _, err := (Dialer{PodsDir: l.pods, Check: &fakeCheck{}}).Dial(context.Background(), target); !errors.Is(err, ErrRefused) {
			t.Errorf("Dial(%+v) = %v, want a refusal", target, err)
		}
	}
}

func TestDialMissingSocketIsNotExist(t *testing.T) {
	l := newLayout(t)
	_, _, err := Dialer{PodsDir: l.pods, Check: &fakeCheck{}}.Dial(context.Background(),
		Target{PodUID: l.podA, Socket: "launcher.sock"})
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrRefused) {
		t.Fatalf("Dial = %v, want not-exist", err)
	}
}

func TestDialRefusesPeerThatFailsTheCheck(t *testing.T) {
	l := newLayout(t)
	listen(t, filepath.Join(l.socketsA, "launcher.sock"), "A")
	check := &fakeCheck{err: errors.New("peer runs as uid 0, the pod as 107")}
	_, _, err := Dialer{PodsDir: l.pods, Check: check}.Dial(context.Background(),
		Target{PodUID: l.podA, Socket: "launcher.sock", RunAsUser: 107})
	if !errors.Is(err, ErrRefused) || len(check.seen) != 1 {
		t.Fatalf("Dial = %v (checks %v), want a refusal after one check", err, check.seen)
	}
}

func TestCgroupCheck(t *testing.T) {
	proc := t.TempDir()
	write := func(pid int, content string) {
		dir := filepath.Join(proc, fmt.Sprint(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const uid = "0b6e3c1a-1111-2222-3333-444455556666"
	write(10, "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b6e3c1a_1111_2222_3333_444455556666.slice/cri-containerd-abc.scope\n")
	write(11, "12:pids:/kubepods/besteffort/pod"+uid+"/abc\n0::/\n")
	write(12, "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podffffffff_1111_2222_3333_444455556666.slice/x.scope\n")
	tests := []struct {
		name string
		peer Peer
		uid  uint32
		ok   bool
	}{
		{"systemd driver, right pod and uid", Peer{PID: 10, UID: 107}, 107, true},
		{"cgroupfs driver, right pod", Peer{PID: 11, UID: 0}, 0, true},
		{"uid mismatch", Peer{PID: 10, UID: 0}, 107, false},
		{"another pod's process", Peer{PID: 12, UID: 107}, 107, false},
		{"pid not visible", Peer{PID: 0, UID: 107}, 107, false},
		{"pid gone", Peer{PID: 13, UID: 107}, 107, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CgroupCheck{ProcDir: proc}.Check(tt.peer, Target{PodUID: uid, RunAsUser: tt.uid})
			if (err == nil) != tt.ok {
				t.Fatalf("Check = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
