// Package vnc owns a launcher's display: it hands QEMU's VNC unix socket to
// one viewer at a time (a new viewer ends the current one unless it asks to
// preserve it), nudges the pointer over RFB to wake a blanked screen, and turns
// libvirt's screenshots (PPM) into PNG. It imports nothing from virt-handler.
package vnc
