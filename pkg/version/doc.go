// Package version reports the build's version, stamped at link time with -ldflags -X
// by the Makefile. It imports nothing of kvirt.
package version
