package vmistatus

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestComputeAccessCredentials(t *testing.T) {
	running := &launcherv1.Domain{State: "Running", StartedUnixNano: time.Now().UnixNano()}
	withCreds := func() *virtv1.VirtualMachineInstance {
		vmi := vmiIn(virtv1.Running)
		vmi.Spec.AccessCredentials = []virtv1.AccessCredential{{SSHPublicKey: &virtv1.SSHPublicKeyAccessCredential{
			PropagationMethod: virtv1.SSHPublicKeyAccessCredentialPropagationMethod{
				QemuGuestAgent: &virtv1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation{Users: []string{"u"}}}}}}
		return vmi
	}
	synced := withCreds()
	synced.Status.Conditions = []virtv1.VirtualMachineInstanceCondition{{
		Type: virtv1.VirtualMachineInstanceAccessCredentialsSynchronized, Status: "True", Reason: ReasonAccessCredentialsSyncSuccess}}
	long := strings.Repeat("x", 5000) + "\x00"
	tests := []struct {
		name         string
		vmi          *virtv1.VirtualMachineInstance
		creds        *launcherv1.AccessCredentialsStatus
		want, reason string
		msgLen       int
	}{
		{name: "pushed", vmi: withCreds(), creds: &launcherv1.AccessCredentialsStatus{Succeeded: true},
			want: "True", reason: ReasonAccessCredentialsSyncSuccess},
		{name: "failed: the agent's error, bounded", vmi: withCreds(), creds: &launcherv1.AccessCredentialsStatus{Message: long},
			want: "False", reason: ReasonAccessCredentialsSyncFailed, msgLen: maxGuestString},
		{name: "no report leaves the condition", vmi: synced, want: "True", reason: ReasonAccessCredentialsSyncSuccess},
		{name: "a VMI without agent credentials ignores a report", vmi: vmiIn(virtv1.Running),
			creds: &launcherv1.AccessCredentialsStatus{Succeeded: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			agent := &launcherv1.GuestAgentResponse{Connected: true, Commands: allRequired(), AccessCredentials: tc.creds}
			st := Compute(tc.vmi, Observed{Domain: running, Agent: agent}, metav1.Now())
			c := cond(st, virtv1.VirtualMachineInstanceAccessCredentialsSynchronized)
			if tc.want == "" {
				if c != nil {
					t.Fatalf("condition = %v, want none", c)
				}
				return
			}
			if c == nil || string(c.Status) != tc.want || c.Reason != tc.reason || len(c.Message) != tc.msgLen {
				t.Fatalf("condition = %+v, want %s/%s with a %d-byte message", c, tc.want, tc.reason, tc.msgLen)
			}
		})
	}
}
