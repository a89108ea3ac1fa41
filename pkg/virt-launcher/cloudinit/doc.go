// Package cloudinit builds cloud-init seed images for a VMI: NoCloud (user-data,
// meta-data, network-config on an ISO 9660 image labelled "cidata") and the
// OpenStack ConfigDrive (openstack/latest/... labelled "config-2"), with its own
// small ISO writer. Secrets are resolved by the caller; this package only formats
// bytes and imports nothing from virt-handler.
package cloudinit
