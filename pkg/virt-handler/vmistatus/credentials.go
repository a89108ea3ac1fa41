package vmistatus

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Reasons of the AccessCredentialsSynchronized condition: upstream's event
// reasons for the same outcomes.
const (
	ReasonAccessCredentialsSyncSuccess = "AccessCredentialsSyncSuccess"
	ReasonAccessCredentialsSyncFailed  = "AccessCredentialsSyncFailed"
)

// applyAccessCredentials sets AccessCredentialsSynchronized from the launcher's
// last push: True when it succeeded, False with the (bounded, cleaned) agent
// error otherwise. As upstream, no report leaves the condition as it is; a
// report for a VMI without agent-propagated credentials is ignored.
func applyAccessCredentials(status *virtv1.VirtualMachineInstanceStatus, vmi *virtv1.VirtualMachineInstance,
	a *launcherv1.GuestAgentResponse, now metav1.Time) {
	if a == nil || a.AccessCredentials == nil {
		return
	}
	if ssh, passwd := credentialsThroughAgent(vmi); !ssh && !passwd {
		return
	}
	t := virtv1.VirtualMachineInstanceAccessCredentialsSynchronized
	if a.AccessCredentials.Succeeded {
		status.Conditions = setCondition(status.Conditions, t, true, ReasonAccessCredentialsSyncSuccess, now)
		setMessage(status.Conditions, t, "")
		return
	}
	status.Conditions = setCondition(status.Conditions, t, false, ReasonAccessCredentialsSyncFailed, now)
	setMessage(status.Conditions, t, CleanString(a.AccessCredentials.Message))
}
