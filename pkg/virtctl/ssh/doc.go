// Package ssh is virtctl's native ssh and scp: a golang.org/x/crypto/ssh
// client over a port-forward stream to the guest, with keys from
// --identity-file (or the usual ~/.ssh ones and the agent) and host keys
// checked against a known_hosts file. It must not import server-side packages.
package ssh
