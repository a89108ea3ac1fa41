// Package cloudinit builds cloud-init NoCloud seed images for a VMI: the
// user-data, meta-data and network-config files and the ISO 9660 image (volume
// label "cidata") that carries them. Secrets are resolved by the caller; this
// package only formats bytes and imports nothing from virt-handler.
package cloudinit
