package validating

import "slices"

// Architectures the validators accept in spec.architecture.
var supportedArchitectures = []string{"amd64", "arm64", "s390x"}

// Feature gates that guard fields the validators check.
const (
	FeatureGateHostDisk = "HostDisk"
)

// Config is the slice of cluster configuration (the KubeVirt CR) that validation
// depends on. The zero value is not useful; start from DefaultConfig.
type Config struct {
	// Architecture is the default architecture a VMI without spec.architecture gets.
	Architecture string
	// EmulatedMachines are glob patterns machine.type must match.
	EmulatedMachines []string
	// PermitBridgeInterfaceOnPodNetwork allows bridge binding on the pod network.
	PermitBridgeInterfaceOnPodNetwork bool
	// FeatureGates lists the enabled feature gates.
	FeatureGates []string
}

// DefaultConfig is upstream's configuration for a cluster with an empty KubeVirt CR.
func DefaultConfig() Config {
	return Config{
		Architecture:                      "amd64",
		EmulatedMachines:                  []string{"q35*", "pc-q35*"},
		PermitBridgeInterfaceOnPodNetwork: true,
	}
}

func (c Config) gateEnabled(name string) bool { return slices.Contains(c.FeatureGates, name) }
