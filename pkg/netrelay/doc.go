// Package netrelay copies connections both ways: Pipe joins two, Relay
// serves a listener by joining each accepted connection to a new one. Both
// the launcher (its libvirt socket to a loopback port) and virt-handler (the
// migration streams between nodes) relay with it. It must not import kvirt
// packages.
package netrelay
