// Package guestcount is the counting guest of the migration tests: a user
// data script that prints "KVIRT-COUNT <n>" on the serial console every
// second, and Last, which reads the highest count from console output, so a
// test sees whether the guest carried on (or booted again) across a move.
package guestcount
