// Package agent is virt-launcher's QEMU guest agent client: a poller that reads
// what the guest reports (guest-info, -osinfo, -host-name, -timezone, -users,
// -fsinfo, network interfaces, fsfreeze status) on an interval and whenever
// libvirt reports the agent (dis)connecting, and the commands virt-handler asks
// for (freeze/thaw with an automatic thaw, guest-exec, guest-ping). It talks to
// the agent only through a Commander (libvirt's QEMUAgentCommand); it must not
// import libvirt or anything of virt-handler.
package agent
