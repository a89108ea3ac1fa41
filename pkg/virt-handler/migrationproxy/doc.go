// Package migrationproxy carries a live migration's streams between the
// source and the target node's virt-handler over mutual TLS, so no migration
// port is ever reachable unauthenticated. Each relayed connection is one TLS
// connection, negotiated with the ALPN protocol kvirt.io/migration on the
// node API's own port (Server.NextProto), that opens with a Header naming
// the migration and the stream. The target's handler learns the client's
// node from its node API certificate (the same one it serves the node API
// with) and asks its Authorizer whether that node may open that stream,
// which also decides the local end: the target launcher's libvirtd socket, a
// port in the target pod's network namespace, or the prepared domain
// definition (Bytes, fetched by the source with Dialer.Fetch). It knows
// nothing about VMIs.
package migrationproxy
