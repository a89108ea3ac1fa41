package v1beta1

// PreferredCPUTopology says how a preference spreads the guest's vCPUs.
type PreferredCPUTopology string

// The CPU topology preferences; Sockets is the default.
const (
	Sockets PreferredCPUTopology = "sockets"
	Cores   PreferredCPUTopology = "cores"
	Threads PreferredCPUTopology = "threads"
	Spread  PreferredCPUTopology = "spread"
	Any     PreferredCPUTopology = "any"
)
