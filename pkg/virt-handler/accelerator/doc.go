// Package accelerator decides how this node runs guests. It probes /dev/kvm by
// making QEMU execute a five-byte guest program under KVM with a deadline
// (a nested /dev/kvm can exist and hang), and chooses KVM, TCG when the
// cluster allows emulation, or none with a reason. It imports no client code.
package accelerator
