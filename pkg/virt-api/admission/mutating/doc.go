// Package mutating computes the defaults kvirt's mutating webhook applies: the
// full set for a new VirtualMachineInstance and the few a new VirtualMachine gets.
// The functions are pure (the clock and UUID source are inputs); the webhook
// package turns their result into a JSON patch.
package mutating
