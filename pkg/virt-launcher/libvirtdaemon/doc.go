// Package libvirtdaemon runs a private libvirtd, in session mode, for a
// launcher that receives a live migration. libvirt's embedded QEMU driver
// (pkg/virt-launcher/libvirtembed) cannot be a migration target: starting the
// incoming QEMU needs an auto-destroy tie to a connection, which embedded
// drivers refuse. So a target launcher starts this daemon instead, below its
// own private root, as its own user, and the source's libvirt reaches it
// through a socket in the pod's socket directory. It knows nothing about VMIs.
package libvirtdaemon
