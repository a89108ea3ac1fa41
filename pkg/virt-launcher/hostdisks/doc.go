// Package hostdisks finds or creates, on the launcher's host, the file or
// device behind every volume of a VMI (container disks, host disks, PVC
// disk.img files and block devices, empty disks, cloud-init seeds) and reports
// a missing one by the disk that needs it. It feeds domain.Config and imports
// nothing from virt-handler.
package hostdisks
