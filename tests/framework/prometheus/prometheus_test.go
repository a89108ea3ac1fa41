package prometheus

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"kvirt.io/kvirt/tests/framework/poll"
)

// TestStartScrapeStop runs hack/prometheus.sh against a fake kubectl listing one
// "virt-api" pod, served by a TLS test server: the target comes up over https
// without verification, the rule groups load, the recording rule counts it, and
// Stop ends both processes.
func TestStartScrapeStop(t *testing.T) {
	if _, err := exec.LookPath("prometheus"); err != nil {
		t.Skip("no prometheus (make deps: hack/install-deps.sh monitoring)")
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintln(w, "kvirt_test_metric 1")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	dir := t.TempDir()
	kubectl := filepath.Join(dir, "kubectl")
	script := fmt.Sprintf("#!/bin/sh\nprintf 'virt-api-test|127.0.0.1|virt-api|https=%s \\n'\n", port)
	if err := os.WriteFile(kubectl, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in, err := Start(ctx, root, "KVIRT_PROMETHEUS_DIR="+filepath.Join(dir, "prometheus"),
		"KVIRT_E2E_KUBECTL="+kubectl, "KVIRT_PROMETHEUS_KUBECONFIG="+kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := in.Stop(ctx); err != nil {
			t.Error(err)
		}
		if _, err := in.Rules(ctx); err == nil {
			t.Error("Prometheus still answers after Stop")
		}
	}()
	poll.Eventually(t, 2*time.Minute, "virt-api target up", func() error {
		ts, err := in.Targets(ctx)
		if err != nil {
			return err
		}
		for _, tg := range ts {
			if tg.Labels["pod"] == "virt-api-test" && tg.Labels["component"] == "virt-api" && tg.Health == "up" {
				return nil
			}
		}
		return fmt.Errorf("targets %+v", ts)
	})
	poll.Eventually(t, 2*time.Minute, "kubevirt_virt_api_up 1", func() error {
		s, err := in.Query(ctx, "kubevirt_virt_api_up")
		if err != nil {
			return err
		}
		if len(s) != 1 || s[0].Value != 1 {
			return fmt.Errorf("samples %+v", s)
		}
		return nil
	})
	groups, err := in.Rules(ctx)
	if err != nil || len(groups) != 2 {
		t.Errorf("rule groups %+v: %v", groups, err)
	}
	if _, err := in.Alerts(ctx); err != nil {
		t.Error(err)
	}
}
