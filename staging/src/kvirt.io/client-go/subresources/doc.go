// Package subresources is a hand-written client for the aggregated
// subresources.kubevirt.io/v1 API served by virt-api (start, stop, restart,
// migrate, pause, unpause, softreboot, reset, guestosinfo, version, expand-spec,
// expand-vm-spec). It only builds requests: it holds no state and imports
// nothing of kvirt beyond kvirt.io/api.
package subresources
