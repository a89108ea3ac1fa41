// Package podsetup is virt-handler's half of the pod network bindings: it
// enters a launcher pod's network namespace (by path, on a locked OS thread that
// is discarded afterwards) and applies a podplan.Plan with netlink and nftables:
// the in-pod bridge, a tap owned by the launcher's user, the pod interface's
// address move (bridge) or the NAT table (masquerade). Applying is idempotent.
// It refuses to touch the network namespace virt-handler itself runs in.
package podsetup
