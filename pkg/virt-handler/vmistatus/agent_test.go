package vmistatus

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func allRequired() []*launcherv1.GuestAgentCommand {
	var out []*launcherv1.GuestAgentCommand
	for _, n := range append(append([]string{}, requiredAgentCommands...), execProbeCommands...) {
		out = append(out, &launcherv1.GuestAgentCommand{Name: n, Enabled: true})
	}
	return out
}

func TestComputeAgent(t *testing.T) {
	running := &launcherv1.Domain{State: "Running", StartedUnixNano: time.Now().UnixNano(),
		Interfaces: []*launcherv1.Interface{{Name: "default", Mac: "52:54:00:12:34:56", IpAddresses: []string{"10.0.2.2"}}}}
	agent := &launcherv1.GuestAgentResponse{Connected: true, Version: "7.2.0", Commands: allRequired(),
		Os: &launcherv1.GuestOSInfo{Name: "kvirt test guest", Id: "kvirt-test-guest"}, FsfreezeStatus: "frozen",
		Interfaces: []*launcherv1.GuestInterface{
			{Name: "eth0", Mac: "52:54:00:12:34:56", IpAddresses: []string{"10.0.2.15", "not-an-ip"}},
			{Name: "eth1", Mac: "52:54:00:ab:cd:ef", IpAddresses: []string{"192.168.1.5"}},
			{Name: "bad", Mac: "zz"},
		}}
	withAgentCond := vmiIn(virtv1.Running)
	withAgentCond.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{{Type: virtv1.VirtualMachineInstanceAgentConnected, Status: "True"}}
	withAgentCond.Status.GuestOSInfo.Name = "old"
	tests := []struct {
		name        string
		vmi         *virtv1.VirtualMachineInstance
		agent       *launcherv1.GuestAgentResponse
		connected   bool
		unsupported string
		osName      string
		freeze      string
		ifaces      int
	}{
		{name: "connected agent: condition, os, frozen, merged interfaces", vmi: vmiIn(virtv1.Running), agent: agent,
			connected: true, osName: "kvirt test guest", freeze: "frozen", ifaces: 2},
		{name: "no answer from the launcher leaves the agent fields", vmi: withAgentCond, agent: nil,
			connected: true, osName: "old", ifaces: 1},
		{name: "disconnected agent clears them", vmi: withAgentCond, agent: &launcherv1.GuestAgentResponse{},
			connected: false, ifaces: 1},
		{name: "agent without the basic commands", vmi: vmiIn(virtv1.Running),
			agent:     &launcherv1.GuestAgentResponse{Connected: true, Commands: allRequired()[:3]},
			connected: true, unsupported: "This guest agent doesn't support required basic commands", ifaces: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := Compute(tc.vmi, Observed{Domain: running, Agent: tc.agent}, metav1.Now())
			if got := cond(st, virtv1.VirtualMachineInstanceAgentConnected) != nil; got != tc.connected {
				t.Errorf("AgentConnected present = %v, want %v", got, tc.connected)
			}
			c := cond(st, virtv1.VirtualMachineInstanceUnsupportedAgent)
			if (c == nil) != (tc.unsupported == "") || (c != nil && c.Reason != tc.unsupported) {
				t.Errorf("AgentVersionNotSupported = %+v, want %q", c, tc.unsupported)
			}
			if st.GuestOSInfo.Name != tc.osName || st.FsFreezeStatus != tc.freeze || len(st.Interfaces) != tc.ifaces {
				t.Errorf("os %q freeze %q interfaces %+v", st.GuestOSInfo.Name, st.FsFreezeStatus, st.Interfaces)
			}
		})
	}
	st := Compute(vmiIn(virtv1.Running), Observed{Domain: running, Agent: agent}, metav1.Now())
	// The domain's (pod) address wins over the guest's NAT address.
	if i := st.Interfaces[0]; i.Name != "default" || i.InterfaceName != "eth0" || i.IPAddress != "10.0.2.2" ||
		len(i.IPAddresses) != 1 || i.InfoSource != "domain, guest-agent" {
		t.Errorf("merged interface = %+v", i)
	}
	noDomainIP := &launcherv1.Domain{State: "Running", StartedUnixNano: 1,
		Interfaces: []*launcherv1.Interface{{Name: "default", Mac: "52:54:00:12:34:56"}}}
	st = Compute(vmiIn(virtv1.Running), Observed{Domain: noDomainIP, Agent: agent}, metav1.Now())
	if i := st.Interfaces[0]; i.IPAddress != "10.0.2.15" || len(i.IPAddresses) != 1 {
		t.Errorf("guest addresses for a domain interface without any = %+v", i)
	}
	if i := st.Interfaces[1]; i.Name != "" || i.InterfaceName != "eth1" || i.InfoSource != "guest-agent" {
		t.Errorf("guest-only interface = %+v", i)
	}
}

func TestAgentSupportedFeatures(t *testing.T) {
	basic := allRequired()[:len(requiredAgentCommands)]
	vmi := vmiIn(virtv1.Running)
	vmi.Spec.ReadinessProbe = &virtv1.Probe{Exec: &corev1.ExecAction{Command: []string{"true"}}}
	if ok, msg := AgentSupported(vmi, basic); ok || !strings.Contains(msg, "exec probe") {
		t.Fatalf("exec probe without guest-exec: %v %q", ok, msg)
	}
	if ok, _ := AgentSupported(vmi, allRequired()); !ok {
		t.Fatal("full agent refused")
	}
}

func TestCleanString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Debian GNU/Linux", "Debian GNU/Linux"},
		{"evil\x1b[2J\nname\x00", "evil[2Jname"},
		{"bad\xffutf8", "badutf8"},
		{strings.Repeat("é", 200), strings.Repeat("é", 128)},
	}
	for _, tc := range tests {
		if got := CleanString(tc.in); got != tc.want {
			t.Errorf("CleanString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadinessGate(t *testing.T) {
	running := &launcherv1.Domain{State: "Running", StartedUnixNano: time.Now().UnixNano()}
	st := Compute(vmiIn(virtv1.Running), Observed{Domain: running, NotReady: ReasonReadinessProbe}, metav1.Now())
	if c := cond(st, virtv1.VirtualMachineInstanceReady); c == nil || c.Status != "False" || c.Reason != ReasonReadinessProbe {
		t.Fatalf("Ready = %+v", c)
	}
}

func TestGuestListsBounded(t *testing.T) {
	var users []*launcherv1.GuestUser
	for range 100 {
		users = append(users, &launcherv1.GuestUser{UserName: "u"})
	}
	if got := Users(users); len(got) != maxGuestUsers {
		t.Fatalf("%d users kept", len(got))
	}
	fs := FileSystems([]*launcherv1.GuestFilesystem{{DiskName: "vda", TotalBytes: 1 << 40, UsedBytes: -1}})
	if fs[0].TotalBytes != 1<<31-1 || fs[0].UsedBytes != 0 {
		t.Fatalf("bytes not clamped: %+v", fs[0])
	}
}
