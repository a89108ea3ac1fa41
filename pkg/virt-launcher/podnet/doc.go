// Package podnet implements the bridge binding on the pod network inside the
// launcher's network namespace: the pod interface is enslaved to a Linux
// bridge, its IPv4 address moves to the guest (served by a tiny built-in
// DHCPv4 responder) and QEMU gets a tap on the bridge.
//
// Plan and Reply are pure functions of (VMI, observed interface) and (request,
// lease); Bind applies a plan with netlink and runs the responder.
package podnet
