// Package podnet is the launcher's half of the pod network bindings: virt-handler
// builds the in-pod bridge, the tap and the NAT rules (pkg/network/podsetup)
// and hands the launcher the result in SyncVMI; the launcher gives QEMU the
// tap and answers the guest's DHCPv4 with the lease, the pod's DNS servers and
// search domains and the VMI's hostname. It changes nothing in the network
// namespace: it needs no capability but binding UDP 67, which virt-handler
// allows (ip_unprivileged_port_start) in the pod's namespace.
//
// Reply is a pure function of (request, lease); Responder runs it.
package podnet
