// Package netnsdial opens TCP connections and listeners inside another
// network namespace (a launcher pod's, by its /proc/<pid>/ns/net): the socket
// is made on an OS thread that entered the namespace and left it again. It
// must not import kvirt packages.
package netnsdial
