// Package node is the node test tier: real virt-launcher (and virt-handler)
// processes run the test guest under QEMU through libvirt's QEMU driver
// embedded in each launcher.
// Run it with `make test-node`.
package node
