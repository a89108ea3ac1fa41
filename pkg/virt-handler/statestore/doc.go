// Package statestore keeps what virt-handler must remember about each VMI
// across its own restarts (the last domain report, whether a launcher was seen,
// whether shutdown was sent) as one JSON file per VMI UID, written atomically
// (temp file, fsync, rename) and removed with the VMI. It imports no client code.
package statestore
