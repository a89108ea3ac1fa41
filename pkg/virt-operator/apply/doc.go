// Package apply writes virt-operator's typed objects to the cluster with
// server-side apply (field manager virt-operator) and deletes them, through the
// dynamic client, so one code path serves every kind the install contains. It
// decides nothing about which objects exist.
package apply
