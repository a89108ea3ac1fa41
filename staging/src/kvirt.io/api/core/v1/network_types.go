package v1

// Network is a network that guest interfaces can connect to.
type Network struct {
	// multus connects to a Multus NetworkAttachmentDefinition.
	// +optional
	Multus *MultusNetwork `json:"multus,omitempty"`
	// name identifies the network (a DNS label, unique in the VMI); an interface of the same name
	// connects to it.
	// +required
	Name string `json:"name"`
	// pod connects to the launcher pod's own network.
	// +optional
	Pod *PodNetwork `json:"pod,omitempty"`
	// resourceClaim connects to a network device from an entry of spec.resourceClaims.
	// +optional
	ResourceClaim *ClaimRequest `json:"resourceClaim,omitempty"`
}

// Interface is one guest network interface.
type Interface struct {
	// acpiIndex gives the guest a stable interface name (e.g. eno1) whatever its PCI address; unique
	// across devices.
	// +optional
	ACPIIndex int32 `json:"acpiIndex,omitempty"`
	// binding connects the interface through a binding plugin named in the KubeVirt CR.
	// +optional
	Binding *PluginBinding `json:"binding,omitempty"`
	// bootOrder is the interface's place in the boot order (network boot), from 1 up and unique over
	// disks and interfaces.
	// +optional
	BootOrder *int32 `json:"bootOrder,omitempty"`
	// bridge connects the guest to the pod network through a bridge; the guest gets the pod's IP.
	// +optional
	Bridge *InterfaceBridge `json:"bridge,omitempty"`
	// dhcpOptions adds options to the DHCP answers the guest receives.
	// +optional
	DHCPOptions *DHCPOptions `json:"dhcpOptions,omitempty"`
	// macAddress is the interface's MAC address, e.g. de:ad:00:00:be:af; generated when unset.
	// +optional
	MACAddress string `json:"macAddress,omitempty"`
	// macvtap is discontinued and refused on create.
	// +optional
	Macvtap *DeprecatedInterfaceMacvtap `json:"macvtap,omitempty"`
	// masquerade connects the guest behind NAT on the pod network; only on the pod network.
	// +optional
	Masquerade *InterfaceMasquerade `json:"masquerade,omitempty"`
	// model is the NIC model: virtio (default), e1000, e1000e, igb, ne2k_pci, pcnet or rtl8139.
	// +optional
	Model string `json:"model,omitempty"`
	// name identifies the interface and names its network.
	// +required
	Name string `json:"name"`
	// passt is discontinued and refused on create; use passtBinding.
	// +optional
	Passt *DeprecatedInterfacePasst `json:"passt,omitempty"`
	// passtBinding connects the guest to the pod network through passt.
	// +optional
	PasstBinding *InterfacePasstBinding `json:"passtBinding,omitempty"`
	// pciAddress places the interface at this guest PCI address, e.g. 0000:81:01.0.
	// +optional
	PCIAddress string `json:"pciAddress,omitempty"`
	// portRanges lists port ranges forwarded to the guest; exclusive with ports, masquerade only.
	// +optional
	// +listType=atomic
	PortRanges []PortRange `json:"portRanges,omitempty"`
	// ports lists ports forwarded to the guest; all are forwarded when empty.
	// +optional
	Ports []Port `json:"ports,omitempty"`
	// slirp is discontinued and refused on create.
	// +optional
	Slirp *DeprecatedInterfaceSlirp `json:"slirp,omitempty"`
	// sriov passes an SR-IOV virtual function from a Multus network to the guest.
	// +optional
	SRIOV *InterfaceSRIOV `json:"sriov,omitempty"`
	// state is the requested link state: up (default), down, or absent to hot-unplug the interface.
	// +optional
	State string `json:"state,omitempty"`
	// tag is passed with the interface's address to the guest through config-drive metadata.
	// +optional
	Tag string `json:"tag,omitempty"`
}

// ClaimRequest names one request of a resource claim.
type ClaimRequest struct {
	// claimName names an entry of spec.resourceClaims.
	// +optional
	ClaimName string `json:"claimName,omitempty"`
	// requestName names the request within that claim.
	// +optional
	RequestName string `json:"requestName,omitempty"`
}

// MultusNetwork is a Multus network attachment.
type MultusNetwork struct {
	// default makes this network the pod's default network instead of the cluster network.
	// +optional
	Default *bool `json:"default,omitempty"`
	// networkName is the NetworkAttachmentDefinition: <name> in the VMI's namespace or
	// <namespace>/<name>.
	// +required
	NetworkName string `json:"networkName"`
}

// PodNetwork is the launcher pod's own network.
type PodNetwork struct {
	// vmIPv6NetworkCIDR is the IPv6 range of the masquerade network inside the guest; defaults to
	// fd10:0:2::/120.
	// +optional
	VMIPv6NetworkCIDR string `json:"vmIPv6NetworkCIDR,omitempty"`
	// vmNetworkCIDR is the IPv4 range of the masquerade network inside the guest; defaults to
	// 10.0.2.0/24.
	// +optional
	VMNetworkCIDR string `json:"vmNetworkCIDR,omitempty"`
}

// DHCPOptions are extra options in DHCP answers.
type DHCPOptions struct {
	// bootFileName is the boot file name (DHCP option 67).
	// +optional
	BootFileName string `json:"bootFileName,omitempty"`
	// ntpServers lists NTP servers (DHCP option 42).
	// +optional
	NTPServers []string `json:"ntpServers,omitempty"`
	// privateOptions lists private DHCP options (224 to 254).
	// +optional
	PrivateOptions []DHCPPrivateOptions `json:"privateOptions,omitempty"`
	// tftpServerName is the TFTP server name (DHCP option 66).
	// +optional
	TftpServerName string `json:"tftpServerName,omitempty"`
}

// DeprecatedInterfaceMacvtap is the discontinued macvtap binding; it has no fields.
type DeprecatedInterfaceMacvtap struct {
}

// DeprecatedInterfacePasst is the discontinued passt binding; it has no fields.
type DeprecatedInterfacePasst struct {
}

// DeprecatedInterfaceSlirp is the discontinued slirp binding; it has no fields.
type DeprecatedInterfaceSlirp struct {
}

// InterfaceBridge is the bridge binding; it has no fields.
type InterfaceBridge struct {
}

// InterfaceMasquerade is the NAT binding; it has no fields.
type InterfaceMasquerade struct {
}

// InterfacePasstBinding is the passt binding; it has no fields.
type InterfacePasstBinding struct {
}

// InterfaceSRIOV is the SR-IOV binding; it has no fields.
type InterfaceSRIOV struct {
}

// PluginBinding names a binding plugin.
type PluginBinding struct {
	// name is the binding plugin's name in the KubeVirt CR.
	// +required
	Name string `json:"name"`
}

// Port is a port forwarded to the guest.
type Port struct {
	// name names the port (an IANA service name, unique in the VMI).
	// +optional
	Name string `json:"name,omitempty"`
	// port is the port number, 1 to 65535.
	// +required
	Port int32 `json:"port"`
	// protocol is TCP (default) or UDP.
	// +optional
	Protocol string `json:"protocol,omitempty"`
}

// PortRange is a range of ports forwarded to the guest.
type PortRange struct {
	// end is the last port of the range, 1 to 65535 and not below start.
	// +required
	End int32 `json:"end"`
	// protocol is TCP or UDP.
	// +required
	Protocol string `json:"protocol"`
	// start is the first port of the range, 1 to 65535.
	// +required
	Start int32 `json:"start"`
}

// DHCPPrivateOptions is one private DHCP option.
type DHCPPrivateOptions struct {
	// option is the option code, 224 to 254.
	// +required
	Option int32 `json:"option"`
	// value is the option's value.
	// +required
	Value string `json:"value"`
}
