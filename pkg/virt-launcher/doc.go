// Package virtlauncher runs virt-launcher, one per VMI: a private libvirt
// daemon, QEMU and the command server. It must not import other components' packages.
package virtlauncher
