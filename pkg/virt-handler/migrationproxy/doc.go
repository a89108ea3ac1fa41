// Package migrationproxy carries a live migration's streams between the
// source and the target node's virt-handler over mutual TLS, so no migration
// port is ever reachable unauthenticated. Each relayed connection is one TLS
// connection that opens with a Header naming the migration and the stream;
// the target's handler learns the client's node from its node API
// certificate (the same one it serves the node API with) and asks its
// Authorizer whether that node may open that stream, which also decides the
// local end (the target launcher's libvirtd socket, or a port in the target
// pod's network namespace). It knows nothing about VMIs.
package migrationproxy
