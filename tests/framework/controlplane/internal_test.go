package controlplane

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReadVersions(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    Versions
		wantErr bool
	}{
		{
			name:    "pins with comments",
			content: "# pins\nKUBE_VERSION=v1.37.2\nETCD_VERSION=v3.6.16 # etcd\n",
			want:    Versions{Kube: "v1.37.2", Etcd: "v3.6.16"},
		},
		{name: "missing etcd", content: "KUBE_VERSION=v1.37.2\n", wantErr: true},
		{name: "indented lines are not pins", content: "  KUBE_VERSION=v1\n  ETCD_VERSION=v3\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, versionsFile)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadVersions(root)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ReadVersions() = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestReadCRDs(t *testing.T) {
	crd := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: %s\n"
	tests := []struct {
		name    string
		files   map[string]string
		want    []string
		wantErr bool
	}{
		{name: "missing dir", want: nil},
		{
			name: "multi-document files in name order, other files ignored",
			files: map[string]string{
				"b.yaml":     strings.ReplaceAll(crd, "%s", "b.x.io") + "---\n---\n" + strings.ReplaceAll(crd, "%s", "c.x.io"),
				"a.yml":      strings.ReplaceAll(crd, "%s", "a.x.io"),
				"README.md":  "not yaml",
				"kustom.txt": "kind: Kustomization",
			},
			want: []string{"a.x.io", "b.x.io", "c.x.io"},
		},
		{name: "other kinds are errors", files: map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "crds")
			if tt.files != nil {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			crds, err := ReadCRDs(dir)
			var got []string
			for _, c := range crds {
				got = append(got, c.Name)
			}
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("ReadCRDs() = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestAPIServerArgsExtraFlagsLast(t *testing.T) {
	args := apiserverArgs(newLayout("/w"), Ports{APIServer: 1, EtcdClient: 2, EtcdPeer: 3}, []string{"--v=4"})
	if args[len(args)-1] != "--v=4" {
		t.Errorf("extra flag not last: %v", args)
	}
	for _, want := range []string{
		"--etcd-servers=http://127.0.0.1:2", "--secure-port=1", "--endpoint-reconciler-type=none",
		"--requestheader-client-ca-file=/w/pki/front-proxy-ca.crt", "--enable-aggregator-routing=false",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("apiserver args lack %s", want)
		}
	}
}

// TestChildOutlivesExitedLockedThreads: goroutines that end while locked to
// their thread (which then exits) never take a child down with that thread's
// Pdeathsig.
func TestChildOutlivesExitedLockedThreads(t *testing.T) {
	p, err := startProcess(processSpec{name: "sleep", path: "/bin/sleep", args: []string{"60"},
		logPath: filepath.Join(t.TempDir(), "sleep.log")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.proc.Kill(); <-p.done }()
	for i := 0; i < 200; i++ {
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			close(done)
		}()
		<-done
		runtime.Gosched()
	}
	select {
	case <-p.done:
		t.Fatal("the child died with a thread that had ended")
	case <-time.After(500 * time.Millisecond):
	}
}
