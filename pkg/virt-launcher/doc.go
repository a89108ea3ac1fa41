// Package virtlauncher runs virt-launcher, one per VMI: libvirt's QEMU driver
// embedded in its own process, QEMU and the command server. It must not import
// other components' packages.
package virtlauncher
