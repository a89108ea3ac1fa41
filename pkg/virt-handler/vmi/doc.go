// Package vmi is virt-handler's VMI controller: it watches the VMIs assigned to
// its node, drives each one's launcher over the command socket, records what
// must survive a restart in the state store, and patches the status fields the
// handler owns (phase, reason, conditions, interfaces, phase transition
// timestamps, nodeName). Status decisions live in vmistatus.
package vmi
