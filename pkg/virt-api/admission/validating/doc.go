// Package validating holds kvirt's admission rules as pure functions: each takes
// an object (and, for updates, the old one) plus the cluster configuration and
// returns a field.ErrorList naming every violation with its JSON path. It knows
// nothing about HTTP or the apiserver; lookups are passed in as small functions.
package validating
