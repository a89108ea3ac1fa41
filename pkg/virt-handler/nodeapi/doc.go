// Package nodeapi is virt-handler's HTTPS API for virt-api, authenticated both
// ways with TLS client certificates: pause, unpause, soft reboot, guest OS info
// and the serial console of the VMIs on this node, each forwarded to the VMI's
// launcher. It imports no VMI controller code; it gets launchers through a
// small interface.
package nodeapi
