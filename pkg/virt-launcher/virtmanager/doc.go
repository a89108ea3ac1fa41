// Package virtmanager drives the one domain of a launcher through libvirt's QEMU
// driver embedded in the launcher (libvirt.org/go/libvirt, cgo): define and
// start it from a VMI, pause, resume, reboot, graceful shutdown with a deadline,
// kill, and report its state. It imports nothing from virt-handler.
package virtmanager
