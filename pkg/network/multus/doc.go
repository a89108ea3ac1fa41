// Package multus owns kvirt's side of the Multus wire format: the pod
// interface name of each VMI network (eth0, or upstream's hashed "pod<hash>"
// names for secondary networks) and the names of the in-pod bridge and tap
// built on it, the launcher pod's k8s.v1.cni.cncf.io/networks and
// v1.multus-cni.io/default-network annotations, and the parsing of the
// k8s.v1.cni.cncf.io/network-status annotation Multus writes back. It is pure:
// it must not import client, netlink or libvirt code.
package multus
