package validating

import (
	"net"
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/network/multus"
	"kvirt.io/kvirt/pkg/network/podplan"
)

var (
	interfaceNamePattern    = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	supportedInterfaceModel = []string{"e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139", "virtio"}
	supportedPortProtocols  = []string{"TCP", "UDP"}
)

// validateNetworks checks spec.networks: unique names, one source each, and at
// most one network that plays the pod network's role.
func validateNetworks(fld *field.Path, networks []virtv1.Network) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	podLike := 0
	for i := range networks {
		n := &networks[i]
		idx := fld.Index(i)
		if n.Name == "" {
			errs = append(errs, field.Required(idx.Child("name"), ""))
		} else if seen[n.Name] {
			errs = append(errs, field.Duplicate(idx.Child("name"), n.Name))
		}
		seen[n.Name] = true
		switch countTrue(n.Pod != nil, n.Multus != nil, n.ResourceClaim != nil) {
		case 0:
			errs = append(errs, field.Required(idx, "a network must have exactly one source: pod, multus or resourceClaim"))
		case 1:
		default:
			errs = append(errs, field.Invalid(idx, n.Name, "a network must have exactly one source: pod, multus or resourceClaim"))
		}
		errs = append(errs, validatePodNetwork(idx.Child("pod"), n.Pod)...)
		if n.Multus != nil && n.Multus.NetworkName == "" {
			errs = append(errs, field.Required(idx.Child("multus", "networkName"), ""))
		}
		if n.Pod != nil || multus.IsDefault(n) {
			podLike++
			if podLike == 2 {
				errs = append(errs, field.Invalid(idx, n.Name, "only one pod network or default multus network is allowed"))
			}
		}
	}
	return errs
}

// validatePodNetwork checks that vmNetworkCIDR is a usable masquerade guest
// network (podplan decides gateway .1 and guest .2 from it).
func validatePodNetwork(fld *field.Path, pod *virtv1.PodNetwork) field.ErrorList {
	if pod == nil || pod.VMNetworkCIDR == "" {
		return nil
	}
	if _, _, err := podplan.GuestNetwork(pod); err != nil {
		return field.ErrorList{field.Invalid(fld.Child("vmNetworkCIDR"), pod.VMNetworkCIDR, err.Error())}
	}
	return nil
}

// validateInterfaces checks spec.domain.devices.interfaces against spec.networks.
func validateInterfaces(fld, networksPath *field.Path, ifaces []virtv1.Interface, networks []virtv1.Network, cfg Config) field.ErrorList {
	var errs field.ErrorList
	byName := map[string]*virtv1.Network{}
	for i := range networks {
		byName[networks[i].Name] = &networks[i]
	}
	seen := map[string]bool{}
	for i := range ifaces {
		iface := &ifaces[i]
		idx := fld.Index(i)
		if iface.Name != "" && !interfaceNamePattern.MatchString(iface.Name) {
			errs = append(errs, field.Invalid(idx.Child("name"), iface.Name, "must consist of letters, digits, '-' and '_'"))
		}
		if seen[iface.Name] {
			errs = append(errs, field.Duplicate(idx.Child("name"), iface.Name))
		}
		seen[iface.Name] = true
		net, ok := byName[iface.Name]
		if !ok {
			errs = append(errs, field.NotFound(idx.Child("name"), iface.Name))
		}
		errs = append(errs, validateBinding(idx, iface, net, cfg)...)
		errs = append(errs, validateInterfaceDetails(idx, iface)...)
	}
	errs = append(errs, validateInterfacePlacement(fld, ifaces)...)
	for i := range networks {
		if !seen[networks[i].Name] {
			errs = append(errs, field.Invalid(networksPath.Index(i).Child("name"), networks[i].Name, "no interface uses this network"))
		}
	}
	return errs
}

// validateBinding checks the single binding method an interface declares.
func validateBinding(idx *field.Path, iface *virtv1.Interface, net *virtv1.Network, cfg Config) field.ErrorList {
	var errs field.ErrorList
	for _, old := range []struct {
		name string
		set  bool
	}{{"slirp", iface.Slirp != nil}, {"macvtap", iface.Macvtap != nil}, {"passt", iface.Passt != nil}} {
		if old.set {
			errs = append(errs, field.Forbidden(idx.Child(old.name), "this binding is discontinued; use a network binding plugin"))
		}
	}
	n := countTrue(iface.Bridge != nil, iface.Masquerade != nil, iface.SRIOV != nil, iface.Binding != nil,
		iface.PasstBinding != nil, iface.Slirp != nil, iface.Macvtap != nil, iface.Passt != nil)
	if n > 1 {
		errs = append(errs, field.Invalid(idx, iface.Name, "an interface must have exactly one binding"))
	}
	errs = append(errs, validateBindingNetwork(idx, iface, net, cfg)...)
	if iface.Binding != nil && iface.Binding.Name == "" {
		errs = append(errs, field.Required(idx.Child("binding", "name"), ""))
	}
	return errs
}

// validateBindingNetwork checks the binding against the network it is on:
// masquerade on the pod (or default multus) network, bridge only on a
// secondary multus network, bridge on the pod network as the cluster allows.
func validateBindingNetwork(idx *field.Path, iface *virtv1.Interface, net *virtv1.Network, cfg Config) field.ErrorList {
	if net == nil {
		return nil
	}
	var errs field.ErrorList
	if iface.Masquerade != nil && net.Pod == nil && !multus.IsDefault(net) {
		errs = append(errs, field.Invalid(idx.Child("masquerade"), iface.Name,
			"masquerade is only allowed on the pod network or the default multus network"))
	}
	if multus.IsSecondary(net) && iface.Bridge == nil && iface.Masquerade == nil {
		errs = append(errs, field.Forbidden(idx, "interfaces on a secondary multus network support the bridge binding only"))
	}
	if iface.Bridge != nil && net.Pod != nil && !cfg.PermitBridgeInterfaceOnPodNetwork {
		errs = append(errs, field.Forbidden(idx.Child("bridge"), "bridge on the pod network is disabled by the cluster configuration"))
	}
	return errs
}

func validateInterfaceDetails(idx *field.Path, iface *virtv1.Interface) field.ErrorList {
	var errs field.ErrorList
	if iface.Model != "" && !contains(supportedInterfaceModel, iface.Model) {
		errs = append(errs, field.NotSupported(idx.Child("model"), iface.Model, supportedInterfaceModel))
	}
	if iface.MACAddress != "" {
		if hw, err := net.ParseMAC(iface.MACAddress); err != nil || len(hw) != 6 {
			errs = append(errs, field.Invalid(idx.Child("macAddress"), iface.MACAddress, "must be a 6-byte MAC address"))
		}
	}
	if iface.BootOrder != nil && *iface.BootOrder < 1 {
		errs = append(errs, field.Invalid(idx.Child("bootOrder"), *iface.BootOrder, "must be greater than 0"))
	}
	portNames := map[string]bool{}
	for j, p := range iface.Ports {
		pp := idx.Child("ports").Index(j)
		if p.Port < 1 || p.Port > 65535 {
			errs = append(errs, field.Invalid(pp.Child("port"), p.Port, "must be between 1 and 65535"))
		}
		if p.Protocol != "" && !contains(supportedPortProtocols, p.Protocol) {
			errs = append(errs, field.NotSupported(pp.Child("protocol"), p.Protocol, supportedPortProtocols))
		}
		if p.Name != "" && portNames[p.Name] {
			errs = append(errs, field.Duplicate(pp.Child("name"), p.Name))
		}
		portNames[p.Name] = true
	}
	return errs
}
