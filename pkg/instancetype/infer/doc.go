// Package infer resolves spec.instancetype.inferFromVolume and
// spec.preference.inferFromVolume of a new VirtualMachine from the default-*
// labels of the named volume's PersistentVolumeClaim, as upstream's VM mutating
// webhook does. It is pure (the claim's labels come through a function) and
// imports only the API module.
package infer
