// Package virtctl builds the virtctl command line: one file per command. It talks
// to the cluster only through kvirt.io/client-go and must not import component
// packages.
package virtctl
