// Package consolelog follows the guest's serial console log file, which the
// launcher appends to, and copies what is written to it to a writer (the
// guest-console-log container's stdout, so kubectl logs shows it). It runs in
// the static container-disk helper: it must not import cgo code or kvirt's
// daemons.
package consolelog
