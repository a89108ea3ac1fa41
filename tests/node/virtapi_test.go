package node

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/certs"
	virtapi "kvirt.io/kvirt/pkg/virt-api"
	"kvirt.io/kvirt/pkg/virt-api/install"
	"kvirt.io/kvirt/pkg/virt-api/subresources"
	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

const subresourcePrefix = "/apis/" + subresources.GroupName + "/" + subresources.Version

// startVirtAPI runs virt-api in-process with the cluster's node API client
// certificate and registers only its APIService (no webhooks), so the
// apiserver's aggregator sends subresource calls to it.
func (c *cluster) startVirtAPI(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), klog.Background()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	pair, err := certs.WriteSelfSigned(t.TempDir(), "virt-api", []string{"127.0.0.1", "localhost", "virt-api.kubevirt.svc"})
	if err != nil {
		t.Fatal(err)
	}
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- virtapi.Serve(ctx, virtapi.ServerConfig{REST: cp.RESTConfig(), Listener: ln, CertFile: pair.CertFile,
			KeyFile: pair.KeyFile, HandlerClientCert: c.pki.ClientCert, HandlerClientKey: c.pki.ClientKey,
			HandlerCA: c.pki.CAFile, InstallNamespace: "kubevirt", Ready: ready})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("virt-api: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("virt-api did not start: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("virt-api did not start in time")
	}
	c.registerAPIService(t, install.Target{ServiceNamespace: "kubevirt", ServiceName: "virt-api",
		ServicePort: int32(port), CABundle: pair.CAPEM})
}

func (c *cluster) registerAPIService(t *testing.T, target install.Target) {
	t.Helper()
	ctx := context.Background()
	svc := install.ExternalNameService(target.ServiceNamespace, target.ServiceName, "localhost", target.ServicePort)
	services := c.kube.CoreV1().Services(target.ServiceNamespace)
	if _, err := services.Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	agg := aggregator.NewForConfigOrDie(cp.RESTConfig()).ApiregistrationV1().APIServices()
	if _, err := agg.Create(ctx, install.APIService(target), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = agg.Delete(context.Background(), install.APIServiceName, metav1.DeleteOptions{})
		_ = services.Delete(context.Background(), target.ServiceName, metav1.DeleteOptions{})
	})
	nodeenv.WaitFor(t, 90*time.Second, "APIService available", func() (bool, string) {
		s, err := agg.Get(ctx, install.APIServiceName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, cond := range s.Status.Conditions {
			if cond.Type == apiregistrationv1.Available && cond.Status == apiregistrationv1.ConditionTrue {
				return true, ""
			}
		}
		return false, fmt.Sprint(s.Status.Conditions)
	})
}

// viaVirtAPI calls a VMI subresource through the apiserver (aggregator ->
// virt-api -> virt-handler) and returns the HTTP status and message.
func (c *cluster) viaVirtAPI(t *testing.T, method string, vmi *virtv1.VirtualMachineInstance, sub string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := fmt.Sprintf("%s/namespaces/%s/virtualmachineinstances/%s/%s", subresourcePrefix, vmi.Namespace, vmi.Name, sub)
	var code int
	err := c.kube.Discovery().RESTClient().Verb(method).AbsPath(path).Do(ctx).StatusCode(&code).Error()
	msg := ""
	if err != nil {
		msg = err.Error()
		if st, ok := err.(apierrors.APIStatus); ok {
			code = int(st.Status().Code)
		}
	}
	return code, msg
}

// consoleViaVirtAPI opens the VMI's console as virtctl does: a websocket to
// the apiserver with the plain.kubevirt.io subprotocol. It reads until want
// shows up.
func (c *cluster) consoleViaVirtAPI(t *testing.T, vmi *virtv1.VirtualMachineInstance, want string) string {
	t.Helper()
	cfg := cp.RESTConfig()
	tlsCfg, err := rest.TLSConfigFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{}
	if cfg.BearerToken != "" {
		header.Set("Authorization", "Bearer "+cfg.BearerToken)
	}
	url := strings.Replace(strings.TrimSuffix(cfg.Host, "/"), "https://", "wss://", 1) +
		fmt.Sprintf("%s/namespaces/%s/virtualmachineinstances/%s/console", subresourcePrefix, vmi.Namespace, vmi.Name)
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Subprotocols: []string{subresources.ConsoleSubprotocol},
		HandshakeTimeout: 30 * time.Second}
	ws, resp, err := d.Dial(url, header)
	if err != nil {
		status := ""
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("console websocket through the apiserver: %v (%s)", err, status)
	}
	defer func() { _ = ws.Close() }()
	if got := ws.Subprotocol(); got != subresources.ConsoleSubprotocol {
		t.Errorf("console subprotocol %q, want %q", got, subresources.ConsoleSubprotocol)
	}
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var out strings.Builder
	for !strings.Contains(out.String(), want) {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("read console through virt-api: %v; got:\n%s", err, out.String())
		}
		out.Write(msg)
	}
	return out.String()
}

// pauseAndUnpauseViaVirtAPI pauses and unpauses through the aggregated API and
// checks upstream's refusals: pause of a paused VMI, unpause of a running one
// are 409; vnc without a websocket upgrade is 400 (guestosinfo with and
// without an agent: TestHandlerGuestAgent and the unit tests).
func pauseAndUnpauseViaVirtAPI(t *testing.T, c *cluster, l *nodeenv.Launcher, vmi *virtv1.VirtualMachineInstance) {
	t.Helper()
	start := time.Now()
	if code, msg := c.viaVirtAPI(t, http.MethodPut, vmi, "pause"); code != http.StatusOK {
		t.Fatalf("pause through virt-api: %d %s", code, msg)
	}
	t.Logf("FIGURE pause through apiserver -> virt-api -> virt-handler -> launcher: %s",
		time.Since(start).Round(time.Millisecond))
	l.WaitForState(t, 10*time.Second, "Paused")
	c.waitForVMI(t, vmi, 30*time.Second, "Paused condition", func(v *virtv1.VirtualMachineInstance) bool {
		p := vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused)
		return p != nil && p.Status == string(corev1.ConditionTrue)
	})
	if code, msg := c.viaVirtAPI(t, http.MethodPut, vmi, "pause"); code != http.StatusConflict {
		t.Errorf("second pause through virt-api: %d %s, want 409", code, msg)
	}
	if code, msg := c.viaVirtAPI(t, http.MethodPut, vmi, "unpause"); code != http.StatusOK {
		t.Fatalf("unpause through virt-api: %d %s", code, msg)
	}
	l.WaitForState(t, 10*time.Second, "Running")
	c.waitForVMI(t, vmi, 30*time.Second, "no Paused condition", func(v *virtv1.VirtualMachineInstance) bool {
		return vmiconditions.Get(v, virtv1.VirtualMachineInstancePaused) == nil
	})
	if code, msg := c.viaVirtAPI(t, http.MethodPut, vmi, "unpause"); code != http.StatusConflict {
		t.Errorf("unpause of a running VMI through virt-api: %d %s, want 409", code, msg)
	}
	if code, msg := c.viaVirtAPI(t, http.MethodGet, vmi, "vnc"); code != http.StatusBadRequest {
		t.Errorf("vnc through virt-api without a websocket: %d %s, want 400", code, msg)
	}
}
