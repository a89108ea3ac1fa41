// Package console opens a VMI's serial console through the aggregated
// subresources.kubevirt.io API (a websocket with the plain.kubevirt.io
// subprotocol), for virtctl and the end-to-end tests.
package console
