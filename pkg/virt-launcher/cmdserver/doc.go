// Package cmdserver serves the launcher command service (proto/launcher/v1) on
// a unix socket and translates each RPC into a call on a DomainManager. It holds
// no domain logic of its own and imports nothing from virt-handler.
package cmdserver
