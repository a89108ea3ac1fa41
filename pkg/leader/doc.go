// Package leader runs a component's work only while it holds a
// coordination.k8s.io Lease (virt-controller, virt-operator): flags, identity and
// the hand-over between the elector's callback and the caller's goroutine.
package leader
