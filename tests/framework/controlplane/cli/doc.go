// Package cli implements the kvirt-control-plane command (up, down, status) on top
// of package controlplane, so its main stays a few lines of wiring.
//
// It must not import kvirt packages outside tests/framework.
package cli
