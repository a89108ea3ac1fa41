// Package probe decides virt-handler's guest agent probes (exec and
// guestAgentPing readiness and liveness probes of a VMI): when one is due and
// what a run's outcome does to the probe's state (success and failure
// thresholds), as pure functions. Running a probe is the caller's business
// (virt-handler asks the launcher's agent); this package imports no client.
package probe
