// Package create is `virtctl create`: it groups the manifest generators (vm,
// instancetype, preference), which print YAML to stdout and contact no cluster.
// It must not import the other command packages.
package create
