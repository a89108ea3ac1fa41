package multus

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	virtv1 "kvirt.io/api/core/v1"
)

// Names in the launcher pod's network namespace.
const (
	// PrimaryPodInterface is the pod network's interface (or the default
	// Multus network's, which takes its place).
	PrimaryPodInterface = "eth0"
	// PrimaryBridge and PrimaryTap are built on PrimaryPodInterface.
	PrimaryBridge = "k6t-eth0"
	PrimaryTap    = "tap0"
	// hashedPrefix and hashLen give upstream's secondary interface names:
	// "pod" + the first 11 hex digits of sha256(network name), 14 characters,
	// so that "k6t-" + the hash still fits IFNAMSIZ (15).
	hashedPrefix = "pod"
	hashLen      = 11
)

// HashedInterfaceName is the pod interface name of a secondary network
// (upstream's GenerateHashedInterfaceName): Multus creates the interface under
// this name, because the launcher pod's networks annotation asks for it.
func HashedInterfaceName(networkName string) string {
	sum := sha256.Sum256([]byte(networkName))
	return hashedPrefix + hex.EncodeToString(sum[:])[:hashLen]
}

// IsDefault reports whether n is the default Multus network, which replaces
// the pod network.
func IsDefault(n *virtv1.Network) bool {
	return n.Multus != nil && n.Multus.Default != nil && *n.Multus.Default
}

// IsSecondary reports whether n is a Multus network besides the pod's own.
func IsSecondary(n *virtv1.Network) bool { return n.Multus != nil && !IsDefault(n) }

// PodInterfaceName is the pod interface of network n: eth0 for the pod
// network and the default Multus network, the hashed name for the others.
func PodInterfaceName(n *virtv1.Network) string {
	if IsSecondary(n) {
		return HashedInterfaceName(n.Name)
	}
	return PrimaryPodInterface
}

// BridgeName is the in-pod bridge of a pod interface (at most 15 characters).
func BridgeName(podIface string) string {
	if podIface == PrimaryPodInterface {
		return PrimaryBridge
	}
	return "k6t-" + strings.TrimPrefix(podIface, hashedPrefix)
}

// TapName is the tap of a pod interface (at most 15 characters).
func TapName(podIface string) string {
	if podIface == PrimaryPodInterface {
		return PrimaryTap
	}
	return "tap" + strings.TrimPrefix(podIface, hashedPrefix)
}
