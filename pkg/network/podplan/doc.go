// Package podplan decides, as pure functions of the VMI and the observed pod
// interface, what the pod network binding of a VMI needs: the in-pod bridge and
// tap, the guest's DHCP lease and, for masquerade, the NAT rules. It must not
// import netlink, nftables or any client code; podsetup applies its plans.
package podplan
