package subresources

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func vmiOn(node string, phase virtv1.VirtualMachineInstancePhase, paused bool) *virtv1.VirtualMachineInstance {
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "v"},
		Status: virtv1.VirtualMachineInstanceStatus{NodeName: node, Phase: phase}}
	if paused {
		vmi.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{
			{Type: virtv1.VirtualMachineInstancePaused, Status: string(corev1.ConditionTrue)}}
	}
	return vmi
}

func withAgent(vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	vmi.Status.Conditions = append(vmi.Status.Conditions, virtv1.VirtualMachineInstanceCondition{
		Type: virtv1.VirtualMachineInstanceAgentConnected, Status: string(corev1.ConditionTrue)})
	return vmi
}

func noGraphics(vmi *virtv1.VirtualMachineInstance) *virtv1.VirtualMachineInstance {
	off := false
	vmi.Spec.Domain.Devices.AutoattachGraphicsDevice = &off
	return vmi
}

func withLiveness(vmi *virtv1.VirtualMachineInstance, p *virtv1.Probe) *virtv1.VirtualMachineInstance {
	vmi.Spec.LivenessProbe = p
	return vmi
}

func TestFreezeBody(t *testing.T) {
	cases := []struct {
		name, body, want string
		code             int
	}{
		{"five minutes", `{"unfreezeTimeout":"5m"}`, `{"unfreezeTimeoutSeconds":300}`, 0},
		{"zero never thaws by itself", `{"unfreezeTimeout":"0s"}`, `{"unfreezeTimeoutSeconds":0}`, 0},
		{"missing", `{}`, "", http.StatusBadRequest},
		{"no body", ``, "", http.StatusBadRequest},
		{"negative", `{"unfreezeTimeout":"-1s"}`, "", http.StatusBadRequest},
		{"not json", `{`, "", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(tc.body))
			got, ref := freezeBody(req)
			if tc.code != 0 {
				if ref == nil || ref.code != tc.code {
					t.Fatalf("refusal %+v, want %d", ref, tc.code)
				}
				return
			}
			if ref != nil || string(got) != tc.want {
				t.Fatalf("body %s, %+v; want %s", got, ref, tc.want)
			}
		})
	}
}

func TestDecideNodeRequest(t *testing.T) {
	cases := []struct {
		name string
		sub  string
		vmi  *virtv1.VirtualMachineInstance
		code int // 0: forwarded
	}{
		{"no node yet", "pause", vmiOn("", virtv1.Scheduling, false), http.StatusServiceUnavailable},
		{"scheduled, not running", "pause", vmiOn("n1", virtv1.Scheduled, false), http.StatusConflict},
		{"finished", "guestosinfo", vmiOn("n1", virtv1.Succeeded, false), http.StatusConflict},
		{"pause running", "pause", vmiOn("n1", virtv1.Running, false), 0},
		{"pause paused", "pause", vmiOn("n1", virtv1.Running, true), http.StatusConflict},
		{"unpause paused", "unpause", vmiOn("n1", virtv1.Running, true), 0},
		{"unpause running", "unpause", vmiOn("n1", virtv1.Running, false), http.StatusConflict},
		{"softreboot running", "softreboot", vmiOn("n1", virtv1.Running, false), 0},
		{"softreboot paused", "softreboot", vmiOn("n1", virtv1.Running, true), http.StatusConflict},
		{"console running", "console", vmiOn("n1", virtv1.Running, false), 0},
		{"console paused", "console", vmiOn("n1", virtv1.Running, true), 0},
		{"guestosinfo with agent", "guestosinfo", withAgent(vmiOn("n1", virtv1.Running, false)), 0},
		{"guestosinfo without agent", "guestosinfo", vmiOn("n1", virtv1.Running, false), http.StatusConflict},
		{"reset running", "reset", vmiOn("n1", virtv1.Running, false), 0},
		{"reset paused stays paused", "reset", vmiOn("n1", virtv1.Running, true), 0},
		{"reset scheduled", "reset", vmiOn("n1", virtv1.Scheduled, false), http.StatusConflict},
		{"reset pending", "reset", vmiOn("", virtv1.Pending, false), http.StatusBadRequest},
		{"reset finished", "reset", vmiOn("n1", virtv1.Succeeded, false), http.StatusBadRequest},
		{"vnc running", "vnc", vmiOn("n1", virtv1.Running, false), 0},
		{"vnc paused", "vnc", vmiOn("n1", virtv1.Running, true), 0},
		{"vnc not running", "vnc", vmiOn("n1", virtv1.Scheduled, false), http.StatusConflict},
		{"vnc without graphics", "vnc", noGraphics(vmiOn("n1", virtv1.Running, false)), http.StatusBadRequest},
		{"screenshot running", "vnc/screenshot", vmiOn("n1", virtv1.Running, false), 0},
		{"screenshot without graphics", "vnc/screenshot", noGraphics(vmiOn("", virtv1.Pending, false)), http.StatusBadRequest},
		{"userlist with agent", "userlist", withAgent(vmiOn("n1", virtv1.Running, false)), 0},
		{"filesystemlist without agent", "filesystemlist", vmiOn("n1", virtv1.Running, false), http.StatusConflict},
		{"freeze with agent", "freeze", withAgent(vmiOn("n1", virtv1.Running, false)), 0},
		{"freeze without agent", "freeze", vmiOn("n1", virtv1.Running, false), http.StatusConflict},
		{"unfreeze without agent", "unfreeze", vmiOn("n1", virtv1.Running, false), http.StatusConflict},
		{"pause with an exec liveness probe", "pause", withLiveness(vmiOn("n1", virtv1.Running, false),
			&virtv1.Probe{Exec: &corev1.ExecAction{Command: []string{"true"}}}), http.StatusConflict},
		{"pause with a guestAgentPing liveness probe", "pause", withLiveness(vmiOn("n1", virtv1.Running, false),
			&virtv1.Probe{GuestAgentPing: &virtv1.GuestAgentPing{}}), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref := decideNodeRequest(tc.sub, tc.vmi)
			switch {
			case tc.code == 0 && ref != nil:
				t.Errorf("refused %d %q, want forwarded", ref.code, ref.msg)
			case tc.code != 0 && ref == nil:
				t.Errorf("forwarded, want %d", tc.code)
			case tc.code != 0 && ref.code != tc.code:
				t.Errorf("code %d (%q), want %d", ref.code, ref.msg, tc.code)
			}
		})
	}
}

func TestHandlerAddress(t *testing.T) {
	node := func(addr string, ips ...string) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}
		if addr != "" {
			n.Annotations = map[string]string{virtv1.NodeAPIAddressAnnotation: addr}
		}
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeHostName, Address: "n1"})
		for _, ip := range ips {
			n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
		}
		return n
	}
	cases := []struct {
		name string
		node *corev1.Node
		want string // "" : 503
	}{
		{"published host and port", node("127.0.0.1:40001", "10.0.0.5"), "127.0.0.1:40001"},
		{"empty host uses InternalIP", node(":8186", "10.0.0.5"), "10.0.0.5:8186"},
		{"IPv6 InternalIP", node(":8186", "fd00::5"), "[fd00::5]:8186"},
		{"empty host, no InternalIP", node(":8186"), ""},
		{"nothing published", node("", "10.0.0.5"), ""},
		{"garbage", node("not-an-address", "10.0.0.5"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ref := handlerAddress(tc.node)
			if tc.want == "" {
				if ref == nil || ref.code != http.StatusServiceUnavailable {
					t.Errorf("got %q %v, want 503", got, ref)
				}
				return
			}
			if ref != nil || got != tc.want {
				t.Errorf("got %q %v, want %q", got, ref, tc.want)
			}
		})
	}
}
