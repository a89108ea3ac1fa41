package launcherpod

// Defaults for Config fields left empty.
const (
	DefaultLauncherImage = "kvirt/virt-launcher:latest"
	DefaultCPURequest    = "100m"
)

// Resource names of the node devices virt-handler advertises.
const (
	KVMDevice      = "devices.kubevirt.io/kvm"
	TunDevice      = "devices.kubevirt.io/tun"
	VhostNetDevice = "devices.kubevirt.io/vhost-net"
)

// Config is the cluster-wide input of the rendering.
type Config struct {
	// LauncherImage runs the compute container and provides the container-disk helper.
	LauncherImage string
	// AllowEmulation drops the KVM device request so VMs can run under TCG.
	AllowEmulation bool
	// CPURequest is the CPU request of a VMI that asks for none ("100m" when empty).
	CPURequest string
	// DisableSerialConsoleLog is the cluster default of VMIs that do not set
	// spec.domain.devices.logSerialConsole (KubeVirt's
	// virtualMachineOptions.disableSerialConsoleLog): no guest-console-log.
	DisableSerialConsoleLog bool
	// LauncherVerbosity is the compute container's --v (KubeVirt's
	// logVerbosity.virtLauncher); negative leaves the launcher's default.
	LauncherVerbosity int
}

func (c Config) withDefaults() Config {
	if c.LauncherImage == "" {
		c.LauncherImage = DefaultLauncherImage
	}
	if c.CPURequest == "" {
		c.CPURequest = DefaultCPURequest
	}
	return c
}
