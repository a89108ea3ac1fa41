// Package importer is the DataVolume importer that kvirt's DataVolume controller
// runs in an importer pod (cmd/kvirt-importer): it fills one PVC, a disk.img on a
// Filesystem volume or the device of a Block volume, from an http(s) URL, an OCI
// registry image holding /disk/*, another PVC, or nothing (blank); converts qcow2
// to raw with qemu-img; serves its progress; and ends with exit 0 or a one-line
// reason in the termination log. Its sub-packages each do one step (format,
// source, sparse, progress, qemuimg). It must not import the controller's
// packages or talk to the Kubernetes API: everything comes from its flags.
package importer
