package mutating

// Upstream's defaults.
const (
	// DefaultGracePeriodSeconds is a VMI's terminationGracePeriodSeconds when unset.
	DefaultGracePeriodSeconds int64 = 180
	// DefaultCPUModel is the CPU model when neither the VMI nor the cluster sets one.
	DefaultCPUModel = "host-model"

	bindingBridge     = "bridge"
	bindingMasquerade = "masquerade"
	archAMD64         = "amd64"
)

// machineTypes are the per-architecture defaults when the cluster sets none.
var machineTypes = map[string]string{
	"amd64": "q35",
	"arm64": "virt",
	"s390x": "s390-ccw-virtio",
}

// Config is the cluster configuration defaulting depends on.
type Config struct {
	// Architecture of VMIs that do not set one.
	Architecture string
	// MachineType overrides the per-architecture default machine type.
	MachineType string
	// CPUModel overrides host-model.
	CPUModel string
	// DefaultNetworkInterface is the binding of the default pod interface:
	// "bridge" (default) or "masquerade".
	DefaultNetworkInterface string
	// EvictionStrategy, when set, is copied to VMIs that set none.
	EvictionStrategy string
}

// DefaultConfig is upstream's configuration for an empty KubeVirt CR on amd64.
func DefaultConfig() Config {
	return Config{Architecture: archAMD64, DefaultNetworkInterface: bindingBridge}
}

func (c Config) machineType(arch string) string {
	if c.MachineType != "" {
		return c.MachineType
	}
	if mt, ok := machineTypes[arch]; ok {
		return mt
	}
	return machineTypes[archAMD64]
}
