// Package instancetype is `virtctl create instancetype`: it renders a
// VirtualMachineClusterInstancetype (or, with --namespaced or -n, a
// VirtualMachineInstancetype) manifest from upstream's flags.
package instancetype
