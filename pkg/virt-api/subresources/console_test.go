package subresources

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	kvirtfake "kvirt.io/client-go/generated/clientset/versioned/fake"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

func withoutSerialConsole(vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	vmi.Spec.Domain.Devices.AutoattachSerialConsole = ptr.To(false)
	return vmi
}

func TestDecideConsole(t *testing.T) {
	withSerial := vmiOn("n1", virtv1.Running, false)
	withSerial.Spec.Domain.Devices.AutoattachSerialConsole = ptr.To(true)
	cases := []struct {
		name string
		vmi  *virtv1.VirtualMachineInstance
		code int // 0: connect or wait
		wait bool
		msg  string
	}{
		{"running on a node: connect", vmiOn("n1", virtv1.Running, false), 0, false, ""},
		{"paused: connect (upstream does)", vmiOn("n1", virtv1.Running, true), 0, false, ""},
		{"autoattachSerialConsole true: connect", withSerial, 0, false, ""},
		{"pending: wait", vmiOn("", virtv1.Pending, false), 0, true, ""},
		{"no phase yet: wait", vmiOn("", "", false), 0, true, ""},
		{"scheduling: wait", vmiOn("", virtv1.Scheduling, false), 0, true, ""},
		{"scheduled, not running yet: wait", vmiOn("n1", virtv1.Scheduled, false), 0, true, ""},
		{"running without a node: wait", vmiOn("", virtv1.Running, false), 0, true, ""},
		{"no serial console, running", withoutSerialConsole(vmiOn("n1", virtv1.Running, false)), http.StatusBadRequest, false, msgNoSerialConsole},
		{"no serial console, not running yet", withoutSerialConsole(vmiOn("", virtv1.Scheduling, false)), http.StatusBadRequest, false, msgNoSerialConsole},
		{"failed", vmiOn("n1", virtv1.Failed, false), http.StatusConflict, false, "VMI is in failed status"},
		{"finished", vmiOn("n1", virtv1.Succeeded, false), http.StatusBadRequest, false, "VMI is not running"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref, wait := decideConsole(tc.vmi)
			if wait != tc.wait {
				t.Errorf("wait = %v, want %v", wait, tc.wait)
			}
			switch {
			case tc.code == 0 && ref != nil:
				t.Errorf("refused %d %q", ref.code, ref.msg)
			case tc.code != 0 && (ref == nil || ref.code != tc.code || ref.msg != tc.msg):
				t.Errorf("refusal %+v, want %d %q", ref, tc.code, tc.msg)
			}
		})
	}
}

// consoleProxy is a Server over fake clients holding vmi, reaching a fake node
// API, with the console wait given.
func consoleProxy(t *testing.T, vmi *virtv1.VirtualMachineInstance, wait time.Duration) (*Server, *kvirtfake.Clientset) {
	t.Helper()
	pki := nodeenv.NewPKI(t)
	addr := fakeNodeAPI(t, pki)
	nodeTLS, err := NewNodeTLS(NodeClientConfig{CertFile: pki.ClientCert, KeyFile: pki.ClientKey, CAFile: pki.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1",
		Annotations: map[string]string{virtv1.NodeAPIAddressAnnotation: addr}}}
	vmi.Namespace = "ns"
	kvirt := kvirtfake.NewSimpleClientset(vmi)
	return New(Config{Kube: kubefake.NewClientset(node), Kvirt: kvirt, NodeTLS: nodeTLS, ConsoleWait: wait}), kvirt
}

// dialConsoleVia opens the console websocket through s; on a refusal it returns
// the HTTP status and body instead.
func dialConsoleVia(t *testing.T, s *Server) (*websocket.Conn, int, string) {
	t.Helper()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.nodeSide(w, r, target{namespace: "ns", resource: "virtualmachineinstances", name: "v", sub: "console"})
	}))
	t.Cleanup(front.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := websocket.Dialer{Subprotocols: []string{ConsoleSubprotocol}}
	ws, resp, err := d.DialContext(ctx, "ws"+strings.TrimPrefix(front.URL, "http"), nil)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial console: %v", err)
		}
		var body strings.Builder
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		body.Write(buf[:n])
		return nil, resp.StatusCode, body.String()
	}
	t.Cleanup(func() { _ = ws.Close() })
	return ws, resp.StatusCode, ""
}

// TestConsoleWaitsForTheVMIToRun: a console asked for right after the VM
// started connects once virt-handler reports the VMI running on its node.
func TestConsoleWaitsForTheVMIToRun(t *testing.T) {
	s, kvirt := consoleProxy(t, vmiOn("", virtv1.Scheduling, false), 20*time.Second)
	go func() {
		time.Sleep(300 * time.Millisecond)
		vmis := kvirt.KubevirtV1().VirtualMachineInstances("ns")
		vmi, err := vmis.Get(context.Background(), "v", metav1.GetOptions{})
		if err != nil {
			return
		}
		vmi.Status.Phase, vmi.Status.NodeName = virtv1.Running, "n1"
		_, _ = vmis.Update(context.Background(), vmi, metav1.UpdateOptions{})
	}()
	start := time.Now()
	ws, code, body := dialConsoleVia(t, s)
	if ws == nil {
		t.Fatalf("console refused: %d %s", code, body)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := ws.ReadMessage()
	if err != nil || !strings.HasPrefix(string(msg), "hello") {
		t.Fatalf("console output %q, %v", msg, err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond || waited > 5*time.Second {
		t.Errorf("connected after %s: it must wait for Running, and not for the recheck period", waited)
	}
}

func TestConsoleRefusals(t *testing.T) {
	cases := []struct {
		name string
		vmi  *virtv1.VirtualMachineInstance
		code int
		msg  string
	}{
		{"never runs within the wait", vmiOn("", virtv1.Scheduling, false), http.StatusBadRequest, msgConsoleTimeout},
		{"no serial console", withoutSerialConsole(vmiOn("n1", virtv1.Running, false)), http.StatusBadRequest, msgNoSerialConsole},
		{"failed", vmiOn("n1", virtv1.Failed, false), http.StatusConflict, "VMI is in failed status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := consoleProxy(t, tc.vmi, 500*time.Millisecond)
			start := time.Now()
			ws, code, body := dialConsoleVia(t, s)
			if ws != nil {
				t.Fatal("console connected")
			}
			if code != tc.code || !strings.Contains(body, tc.msg) {
				t.Errorf("answer %d %s, want %d %q", code, body, tc.code, tc.msg)
			}
			if waited := time.Since(start); waited > 3*time.Second {
				t.Errorf("answered after %s: the wait is 500ms", waited)
			}
		})
	}
}

func TestConsoleVMIDeletedWhileWaiting(t *testing.T) {
	s, kvirt := consoleProxy(t, vmiOn("", virtv1.Pending, false), 20*time.Second)
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = kvirt.KubevirtV1().VirtualMachineInstances("ns").Delete(context.Background(), "v", metav1.DeleteOptions{})
	}()
	if ws, code, body := dialConsoleVia(t, s); ws != nil || code != http.StatusNotFound {
		t.Errorf("answer %d %s, want 404", code, body)
	}
}
