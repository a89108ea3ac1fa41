// Package console is the launcher's single client of QEMU's serial console
// socket. It keeps the recent output, so a viewer that attaches late still sees
// the boot, and fans output out to any number of viewers while forwarding
// their input. It knows nothing about libvirt or VMIs.
package console
