// Package vmistatus decides a VMI's status from what virt-handler observed of
// its domain. It is pure: (VMI, observation, now) in, status out, so every
// phase and condition rule has a table test. It imports no client or launcher
// code beyond the protocol's message types.
package vmistatus
