package virtctl

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"kvirt.io/client-go/subresources"
)

type fakeVersioner struct {
	info *subresources.VersionInfo
	err  error
}

func (f fakeVersioner) Version(context.Context) (*subresources.VersionInfo, error) {
	return f.info, f.err
}

func TestPrintServerVersion(t *testing.T) {
	var out bytes.Buffer
	info := &subresources.VersionInfo{GitVersion: "v1.2.3", GitCommit: "abc", GitTreeState: "clean", Platform: "linux/amd64"}
	if err := printServerVersion(context.Background(), &out, fakeVersioner{info: info}); err != nil {
		t.Fatal(err)
	}
	// Upstream virtctl prints Go's %#v of version.Info; scripts grep it.
	want := `Server Version: version.Info{GitVersion:"v1.2.3", GitCommit:"abc", GitTreeState:"clean", BuildDate:"", GoVersion:"", Compiler:"", Platform:"linux/amd64"}`
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if err := printServerVersion(context.Background(), &out, fakeVersioner{err: errors.New("forbidden")}); err == nil {
		t.Error("a failing server call must fail the command")
	}
}

func TestVersionPrintsClientFirst(t *testing.T) {
	var out bytes.Buffer
	cmd := NewCommand()
	cmd.SetArgs([]string{"version", "--kubeconfig", "/nonexistent/kubeconfig"})
	cmd.SetOut(&out)
	err := cmd.Execute()
	if !strings.HasPrefix(out.String(), "Client Version: version.Info{GitVersion:") {
		t.Errorf("output %q, want the client version first", out.String())
	}
	if err == nil || !strings.Contains(err.Error(), "kubeconfig") {
		t.Errorf("error %v, want one about the kubeconfig", err)
	}
}
