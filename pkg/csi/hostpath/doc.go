// Package hostpath is kvirt's node-local CSI driver (hostpath.csi.kvirt.io):
// a volume is a directory (Filesystem) or a sparse file (Block) under a state
// directory on one node, with its capacity recorded in a JSON file beside it. Block volumes are
// published as loop devices; snapshots and clones are full copies.
// The package serves the CSI identity, controller and node services, kubelet
// plugin registration and /healthz on its own sockets, so it runs with the
// upstream provisioner/resizer sidecars but without node-driver-registrar or
// livenessprobe. It knows nothing of VMIs and must not import other kvirt
// packages besides pkg/version.
package hostpath
