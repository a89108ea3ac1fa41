// Package vnc is virtctl's VNC client: it opens a VMI's vnc websocket through
// the kube-apiserver (upstream's plain.kubevirt.io subprotocol, with
// preserveSession), relays it to one local TCP viewer, and fetches
// vnc/screenshot. It holds no cobra wiring.
package vnc
