// Package nodeenv is the harness of the node test tier: it checks that libvirt
// and QEMU are installed, builds the test guest and the node binaries, starts
// virt-launcher processes the way a launcher pod would, and reads their serial
// consoles. It drives the real binaries and never imports their internals.
package nodeenv
