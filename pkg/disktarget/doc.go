// Package disktarget names the guest device of each VMI disk (vda, vdb, sda,
// ...) from the spec alone, so virt-launcher's domain and virt-controller's
// status.volumeStatus[].target agree without either asking the other.
package disktarget
