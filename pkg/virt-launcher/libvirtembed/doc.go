// Package libvirtembed prepares libvirt's QEMU driver embedded in the launcher's
// own process (qemu:///embed?root=DIR): no daemon, no socket, no mount namespace
// and so no SYS_ADMIN. Everything libvirt keeps (domain status, QEMU's pid file,
// monitor sockets, logs, the QEMU capabilities cache) lives below the launcher's
// private root, so no two VMs share any of it. It knows nothing about VMIs.
package libvirtembed
