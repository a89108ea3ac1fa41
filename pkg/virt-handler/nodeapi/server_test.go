package nodeapi

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// fakeLauncher records commands; only what the API calls is implemented.
type fakeLauncher struct {
	launcherv1.LauncherClient
	calls []string
	agent *launcherv1.GuestAgentResponse
}

func (f *fakeLauncher) Pause(context.Context, *launcherv1.Empty, ...grpc.CallOption) (*launcherv1.Result, error) {
	f.calls = append(f.calls, "pause")
	return &launcherv1.Result{Success: true}, nil
}

func (f *fakeLauncher) Unpause(context.Context, *launcherv1.Empty, ...grpc.CallOption) (*launcherv1.Result, error) {
	f.calls = append(f.calls, "unpause")
	return &launcherv1.Result{Message: "domain is not paused"}, nil
}

func (f *fakeLauncher) Reset(context.Context, *launcherv1.Empty, ...grpc.CallOption) (*launcherv1.Result, error) {
	f.calls = append(f.calls, "reset")
	return &launcherv1.Result{Success: true}, nil
}

func (f *fakeLauncher) GetGuestInfo(context.Context, *launcherv1.Empty, ...grpc.CallOption) (*launcherv1.GuestInfoResponse, error) {
	return &launcherv1.GuestInfoResponse{}, nil
}

func (f *fakeLauncher) GetGuestAgent(context.Context, *launcherv1.Empty, ...grpc.CallOption) (*launcherv1.GuestAgentResponse, error) {
	if f.agent == nil {
		return &launcherv1.GuestAgentResponse{}, nil
	}
	return f.agent, nil
}

func (f *fakeLauncher) Freeze(_ context.Context, r *launcherv1.FreezeRequest, _ ...grpc.CallOption) (*launcherv1.Result, error) {
	f.calls = append(f.calls, fmt.Sprintf("freeze %d", r.UnfreezeTimeoutSeconds))
	return &launcherv1.Result{Success: true}, nil
}

func (f *fakeLauncher) Unfreeze(context.Context, *launcherv1.Empty, ...grpc.CallOption) (*launcherv1.Result, error) {
	f.calls = append(f.calls, "unfreeze")
	return &launcherv1.Result{Success: true}, nil
}

type fakeLaunchers struct{ l *fakeLauncher }

func (f fakeLaunchers) LauncherFor(_ context.Context, ns, name string) (launcherv1.LauncherClient, error) {
	if ns == "default" && name == "vm" {
		return f.l, nil
	}
	return nil, ErrNotHere
}

func client(t *testing.T, pki nodeenv.PKI, cert, key string) *http.Client {
	t.Helper()
	caPEM, err := os.ReadFile(pki.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 5 * time.Second}
}

func TestNodeAPIRequiresClientCertificateAndForwards(t *testing.T) {
	pki := nodeenv.NewPKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	fake := &fakeLauncher{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, Config{Listen: addr, CertFile: pki.ServerCert, KeyFile: pki.ServerKey,
			ClientCAFile: pki.CAFile, Launchers: fakeLaunchers{fake}})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	url := func(vm, action string) string {
		return fmt.Sprintf("https://%s/v1/namespaces/default/virtualmachineinstances/%s/%s", addr, vm, action)
	}
	put := func(c *http.Client, u string) (int, error) {
		req, _ := http.NewRequest(http.MethodPut, u, nil)
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	good := client(t, pki, pki.ClientCert, pki.ClientKey)
	nodeenv.WaitFor(t, 10*time.Second, "node api up", func() (bool, string) {
		code, err := put(good, url("vm", "pause"))
		return err == nil && code == http.StatusOK, fmt.Sprint(code, err)
	})
	tests := []struct {
		name     string
		client   *http.Client
		url      string
		wantCode int
	}{
		{"unpause conflict is reported", good, url("vm", "unpause"), http.StatusConflict},
		{"reset is forwarded", good, url("vm", "reset"), http.StatusOK},
		{"vmi on another node", good, url("other", "pause"), http.StatusNotFound},
		{"no client certificate", client(t, pki, "", ""), url("vm", "pause"), 0},
		{"certificate of another CA", client(t, pki, pki.OtherCACert, pki.OtherCAKey), url("vm", "pause"), 0},
		// the same CA's serving certificate (a handler's, with client usage) is not virt-api's
		{"certificate of the CA with another name", client(t, pki, pki.ServerCert, pki.ServerKey), url("vm", "pause"), http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, err := put(tc.client, tc.url)
			if tc.wantCode == 0 {
				if err == nil {
					t.Fatalf("request succeeded with status %d, want a TLS failure", code)
				}
				return
			}
			if err != nil || code != tc.wantCode {
				t.Fatalf("status %d, %v; want %d", code, err, tc.wantCode)
			}
		})
	}
	if strings.Join(fake.calls, ",") != "pause,unpause,reset" {
		t.Errorf("launcher calls = %v", fake.calls)
	}
	resp, err := good.Get(url("vm", "guestosinfo"))
	if err != nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("guestosinfo without an agent: %v %v", resp, err)
	}
	body, _ := bufio.NewReader(resp.Body).ReadString('\n')
	resp.Body.Close()
	if !strings.Contains(body, msgNoAgent) {
		t.Errorf("guestosinfo body %q", body)
	}
}
