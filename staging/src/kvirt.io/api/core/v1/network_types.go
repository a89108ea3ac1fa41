package v1

// Network is the type of VirtualMachineInstanceSpec.networks.
type Network struct {
	// +optional
	Multus *MultusNetwork `json:"multus,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	Pod *PodNetwork `json:"pod,omitempty"`
	// +optional
	ResourceClaim *ClaimRequest `json:"resourceClaim,omitempty"`
}

// Interface is the type of Devices.interfaces.
type Interface struct {
	// +optional
	ACPIIndex int32 `json:"acpiIndex,omitempty"`
	// +optional
	Binding *PluginBinding `json:"binding,omitempty"`
	// +optional
	BootOrder *int32 `json:"bootOrder,omitempty"`
	// +optional
	Bridge *InterfaceBridge `json:"bridge,omitempty"`
	// +optional
	DHCPOptions *DHCPOptions `json:"dhcpOptions,omitempty"`
	// +optional
	MACAddress string `json:"macAddress,omitempty"`
	// +optional
	Macvtap *DeprecatedInterfaceMacvtap `json:"macvtap,omitempty"`
	// +optional
	Masquerade *InterfaceMasquerade `json:"masquerade,omitempty"`
	// +optional
	Model string `json:"model,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	Passt *DeprecatedInterfacePasst `json:"passt,omitempty"`
	// +optional
	PasstBinding *InterfacePasstBinding `json:"passtBinding,omitempty"`
	// +optional
	PCIAddress string `json:"pciAddress,omitempty"`
	// +optional
	// +listType=atomic
	PortRanges []PortRange `json:"portRanges,omitempty"`
	// +optional
	Ports []Port `json:"ports,omitempty"`
	// +optional
	Slirp *DeprecatedInterfaceSlirp `json:"slirp,omitempty"`
	// +optional
	SRIOV *InterfaceSRIOV `json:"sriov,omitempty"`
	// +optional
	State string `json:"state,omitempty"`
	// +optional
	Tag string `json:"tag,omitempty"`
}

// ClaimRequest is the type of Network.resourceClaim.
type ClaimRequest struct {
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// +optional
	RequestName string `json:"requestName,omitempty"`
}

// MultusNetwork is the type of Network.multus.
type MultusNetwork struct {
	// +optional
	Default *bool `json:"default,omitempty"`
	// +required
	NetworkName string `json:"networkName"`
}

// PodNetwork is the type of Network.pod.
type PodNetwork struct {
	// +optional
	VMIPv6NetworkCIDR string `json:"vmIPv6NetworkCIDR,omitempty"`
	// +optional
	VMNetworkCIDR string `json:"vmNetworkCIDR,omitempty"`
}

// DHCPOptions is the type of Interface.dhcpOptions.
type DHCPOptions struct {
	// +optional
	BootFileName string `json:"bootFileName,omitempty"`
	// +optional
	NTPServers []string `json:"ntpServers,omitempty"`
	// +optional
	PrivateOptions []DHCPPrivateOptions `json:"privateOptions,omitempty"`
	// +optional
	TftpServerName string `json:"tftpServerName,omitempty"`
}

// DeprecatedInterfaceMacvtap is the type of Interface.macvtap.
type DeprecatedInterfaceMacvtap struct {
}

// DeprecatedInterfacePasst is the type of Interface.passt.
type DeprecatedInterfacePasst struct {
}

// DeprecatedInterfaceSlirp is the type of Interface.slirp.
type DeprecatedInterfaceSlirp struct {
}

// InterfaceBridge is the type of Interface.bridge.
type InterfaceBridge struct {
}

// InterfaceMasquerade is the type of Interface.masquerade.
type InterfaceMasquerade struct {
}

// InterfacePasstBinding is the type of Interface.passtBinding.
type InterfacePasstBinding struct {
}

// InterfaceSRIOV is the type of Interface.sriov.
type InterfaceSRIOV struct {
}

// PluginBinding is the type of Interface.binding.
type PluginBinding struct {
	// +required
	Name string `json:"name"`
}

// Port is the type of Interface.ports.
type Port struct {
	// +optional
	Name string `json:"name,omitempty"`
	// +required
	Port int32 `json:"port"`
	// +optional
	Protocol string `json:"protocol,omitempty"`
}

// PortRange is the type of Interface.portRanges.
type PortRange struct {
	// +required
	End int32 `json:"end"`
	// +required
	Protocol string `json:"protocol"`
	// +required
	Start int32 `json:"start"`
}

// DHCPPrivateOptions is the type of DHCPOptions.privateOptions.
type DHCPPrivateOptions struct {
	// +required
	Option int32 `json:"option"`
	// +required
	Value string `json:"value"`
}
