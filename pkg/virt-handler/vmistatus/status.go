package vmistatus

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Reasons set on a failed VMI or its conditions.
const (
	ReasonLauncherGone    = "LauncherGone"
	ReasonDomainFailed    = "DomainFailed"
	ReasonDomainCrashed   = "DomainCrashed"
	ReasonNoAccelerator   = "NoAccelerator"
	ReasonPausedByUser    = "PausedByUser"
	ReasonGuestNotRunning = "GuestNotRunning"
	// ReasonReadinessProbe: the guest runs but its readiness probe has not
	// passed (yet).
	ReasonReadinessProbe = "ReadinessProbeFailed"
	// ReasonLivenessProbe: the kubelet stopped the launcher, its liveness
	// probe of the guest having failed.
	ReasonLivenessProbe     = "LivenessProbeFailed"
	reasonShuttingDown      = "ShuttingDown"
	infoSourceDomain        = "domain"
	conditionStatusTrue     = string(corev1.ConditionTrue)
	conditionStatusFalse    = string(corev1.ConditionFalse)
	domainStateRunning      = "Running"
	domainStatePaused       = "Paused"
	domainStateShutoff      = "Shutoff"
	reasonMigrated          = "Migrated"
	reasonMigrating         = "Migrating"
	domainStateShuttingDown = "ShuttingDown"
)

// Observed is what the handler knows about the VMI's launcher and domain.
type Observed struct {
	// Domain is the launcher's last report; nil if none was ever received.
	Domain *launcherv1.Domain
	// LauncherGone: the launcher's socket is gone after it had been seen, so
	// no further reports will come.
	LauncherGone bool
	// LauncherGoneMessage says how the handler knows the launcher is gone.
	LauncherGoneMessage string
	// Failure is a node-side reason the VMI cannot run (e.g. no accelerator).
	Failure string
	// FailureReason is the machine-readable reason for Failure.
	FailureReason string
	// NodeName is this handler's node.
	NodeName string
	// Agent is the launcher's guest agent report; nil when the launcher did
	// not answer (the agent's status fields are then left as they are).
	Agent *launcherv1.GuestAgentResponse
	// NotReady is set while a readiness probe virt-handler runs has not
	// passed: the Ready condition stays False with this reason.
	NotReady string
	// StopMeansFailure: a shutdown the launcher began on its own (no VMI or
	// pod deletion asked for it) fails the VMI; set while the kubelet runs a
	// liveness probe on the launcher pod, whose failure stops the launcher.
	StopMeansFailure bool
	// NetworkStatus is the launcher pod's network-status annotation (written
	// by Multus), keyed by pod interface; nil without Multus.
	NetworkStatus map[string]multus.NetworkStatus
}

// Compute returns the VMI's new status. Fields the handler does not own are
// copied unchanged from the VMI.
func Compute(vmi *virtv1.VirtualMachineInstance, obs Observed, now metav1.Time) virtv1.VirtualMachineInstanceStatus {
	status := *vmi.Status.DeepCopy()
	if status.Phase.IsFinal() {
		return status
	}
	phase, reason := nextPhase(vmi.Status.Phase, obs)
	if phase != status.Phase {
		status.Phase = phase
		status.PhaseTransitionTimestamps = append(status.PhaseTransitionTimestamps,
			virtv1.VirtualMachineInstancePhaseTransitionTimestamp{Phase: phase, PhaseTransitionTimestamp: &now})
	}
	if reason != "" {
		status.Reason = reason
	}
	if status.NodeName == "" {
		status.NodeName = obs.NodeName
	}
	status.Conditions = conditions(status.Conditions, phase, obs.Domain, now)
	if phase == virtv1.Running {
		if obs.NotReady != "" {
			status.Conditions = setCondition(status.Conditions, virtv1.VirtualMachineInstanceReady, false, obs.NotReady, now)
		}
		applyAgent(&status, vmi, obs.Agent, now)
		applyAccessCredentials(&status, vmi, obs.Agent, now)
	}
	if phase == virtv1.Failed {
		for i := range status.Conditions {
			if status.Conditions[i].Type == virtv1.VirtualMachineInstanceReady {
				status.Conditions[i].Message = FailureMessage(obs)
			}
		}
	}
	status.Interfaces = statusInterfaces(vmi, status.Interfaces, phase, obs)
	return status
}

// statusInterfaces: the domain's interfaces when it reports any (else the
// current ones), merged with what Multus reported on the launcher pod and with
// the guest agent's view while it is connected.
func statusInterfaces(vmi *virtv1.VirtualMachineInstance, cur []virtv1.VirtualMachineInstanceNetworkInterface,
	phase virtv1.VirtualMachineInstancePhase, obs Observed) []virtv1.VirtualMachineInstanceNetworkInterface {
	out := cur
	if obs.Domain != nil && len(obs.Domain.Interfaces) > 0 {
		out = interfaces(obs.Domain.Interfaces)
	}
	if obs.NetworkStatus != nil {
		out = mergeMultusStatus(out, vmi, obs.NetworkStatus)
	}
	if obs.Agent != nil && obs.Agent.Connected && phase == virtv1.Running {
		out = mergeAgentInterfaces(out, obs.Agent.Interfaces)
	}
	return out
}

// Changed reports whether status differs from the VMI's.
func Changed(vmi *virtv1.VirtualMachineInstance, status virtv1.VirtualMachineInstanceStatus) bool {
	return !equality.Semantic.DeepEqual(vmi.Status, status)
}

// nextPhase maps the observation to a phase and, for Failed, a reason.
func nextPhase(cur virtv1.VirtualMachineInstancePhase, obs Observed) (virtv1.VirtualMachineInstancePhase, string) {
	if obs.Failure != "" {
		return virtv1.Failed, obs.FailureReason
	}
	if migratedAway(obs.Domain) {
		// the domain left for a migration target, whose handler takes over
		return cur, ""
	}
	d := obs.Domain
	switch {
	case d != nil && d.Failure != "":
		return virtv1.Failed, ReasonDomainFailed
	case d != nil && d.State == domainStateShutoff && d.StartedUnixNano != 0:
		return finalPhase(d, obs.StopMeansFailure)
	case live(d):
		if obs.LauncherGone {
			return virtv1.Failed, ReasonLauncherGone
		}
		return virtv1.Running, ""
	case obs.LauncherGone && (cur == virtv1.Running || d != nil):
		return virtv1.Failed, ReasonLauncherGone
	}
	return cur, ""
}

// live: the domain runs (or is paused, or shutting down).
func live(d *launcherv1.Domain) bool {
	return d != nil && (d.State == domainStateRunning || d.State == domainStatePaused || d.State == domainStateShuttingDown)
}

// migratedAway: the domain was shut off here because it moved to a
// migration target.
func migratedAway(d *launcherv1.Domain) bool {
	return d != nil && d.State == domainStateShutoff && d.Reason == reasonMigrated
}

// finalPhase: a guest that powered off, or a shutdown that was asked for,
// succeeded; anything else that stopped the domain is a failure.
// With stopMeansFailure, a shutdown the launcher began is the kubelet's
// verdict on a failed liveness probe.
func finalPhase(d *launcherv1.Domain, stopMeansFailure bool) (virtv1.VirtualMachineInstancePhase, string) {
	switch {
	case stopMeansFailure && d.ShutdownRequested:
		return virtv1.Failed, ReasonLivenessProbe
	case d.Reason == "Shutdown":
		return virtv1.Succeeded, ""
	case d.ShutdownRequested && d.Reason == "Destroyed":
		return virtv1.Succeeded, ""
	case d.Reason == "Crashed":
		return virtv1.Failed, ReasonDomainCrashed
	}
	return virtv1.Failed, ReasonDomainFailed
}

// FailureMessage is the human-readable reason of a failed observation, used
// for the Ready condition's message.
func FailureMessage(obs Observed) string {
	switch {
	case obs.Failure != "":
		return obs.Failure
	case obs.Domain != nil && obs.Domain.Failure != "":
		return obs.Domain.Failure
	case obs.Domain != nil && obs.Domain.State == domainStateShutoff:
		return fmt.Sprintf("domain stopped: %s", obs.Domain.Reason)
	case obs.LauncherGone && obs.LauncherGoneMessage != "":
		return "virt-launcher is gone while the domain was running: " + obs.LauncherGoneMessage
	case obs.LauncherGone:
		return "virt-launcher exited while the domain was running"
	}
	return ""
}

func conditions(in []virtv1.VirtualMachineInstanceCondition, phase virtv1.VirtualMachineInstancePhase,
	d *launcherv1.Domain, now metav1.Time) []virtv1.VirtualMachineInstanceCondition {
	ready := phase == virtv1.Running && d != nil && d.State == domainStateRunning
	readyReason := ""
	if !ready {
		readyReason = ReasonGuestNotRunning
	}
	if d != nil && d.ShutdownRequested && phase == virtv1.Running {
		ready, readyReason = false, reasonShuttingDown
	}
	out := setCondition(in, virtv1.VirtualMachineInstanceReady, ready, readyReason, now)
	// a migration pauses the guest for its last copy: not the user's pause
	paused := phase == virtv1.Running && d != nil && d.State == domainStatePaused && d.Reason != reasonMigrating
	if paused {
		out = setCondition(out, virtv1.VirtualMachineInstancePaused, true, ReasonPausedByUser, now)
	} else {
		out = removeCondition(out, virtv1.VirtualMachineInstancePaused)
	}
	return out
}

func setCondition(in []virtv1.VirtualMachineInstanceCondition, t virtv1.VirtualMachineInstanceConditionType,
	status bool, reason string, now metav1.Time) []virtv1.VirtualMachineInstanceCondition {
	want := conditionStatusFalse
	if status {
		want = conditionStatusTrue
	}
	out := make([]virtv1.VirtualMachineInstanceCondition, 0, len(in)+1)
	found := false
	for _, c := range in {
		if c.Type == t {
			found = true
			if c.Status != want || c.Reason != reason {
				c.Status, c.Reason, c.LastTransitionTime = want, reason, now
			}
		}
		out = append(out, c)
	}
	if !found {
		out = append(out, virtv1.VirtualMachineInstanceCondition{Type: t, Status: want, Reason: reason, LastTransitionTime: now})
	}
	return out
}

func removeCondition(in []virtv1.VirtualMachineInstanceCondition, t virtv1.VirtualMachineInstanceConditionType) []virtv1.VirtualMachineInstanceCondition {
	var out []virtv1.VirtualMachineInstanceCondition
	for _, c := range in {
		if c.Type != t {
			out = append(out, c)
		}
	}
	return out
}

func interfaces(in []*launcherv1.Interface) []virtv1.VirtualMachineInstanceNetworkInterface {
	out := make([]virtv1.VirtualMachineInstanceNetworkInterface, 0, len(in))
	for _, i := range in {
		st := virtv1.VirtualMachineInstanceNetworkInterface{
			Name: i.Name, MAC: i.Mac, InterfaceName: i.InterfaceName, InfoSource: infoSourceDomain, LinkState: i.LinkState,
			IPAddresses: append([]string(nil), i.IpAddresses...),
		}
		if len(i.IpAddresses) > 0 {
			st.IPAddress = i.IpAddresses[0]
		}
		out = append(out, st)
	}
	return out
}
