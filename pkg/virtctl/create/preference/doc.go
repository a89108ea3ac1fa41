// Package preference is `virtctl create preference`: it renders a
// VirtualMachineClusterPreference (or, with --namespaced or -n, a
// VirtualMachinePreference) manifest from upstream's flags.
package preference
