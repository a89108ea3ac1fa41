// Package virtmanager drives the one domain of a launcher through its private
// libvirt daemon (libvirt.org/go/libvirt, cgo): define and start it from a VMI,
// pause, resume, reboot, graceful shutdown with a deadline, kill, and report
// its state. It imports nothing from virt-handler.
package virtmanager
