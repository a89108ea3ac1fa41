package multus

import (
	"encoding/json"
	"strings"

	virtv1 "kvirt.io/api/core/v1"
)

// Annotation keys of the Multus wire format.
const (
	// NetworksAnnotation on a pod lists its secondary networks.
	NetworksAnnotation = "k8s.v1.cni.cncf.io/networks"
	// DefaultNetworkAnnotation on a pod replaces the cluster network.
	DefaultNetworkAnnotation = "v1.multus-cni.io/default-network"
	// NetworkStatusAnnotation is written by Multus: the pod's interfaces.
	NetworkStatusAnnotation = "k8s.v1.cni.cncf.io/network-status"
)

// Selection is one entry of the networks annotation.
type Selection struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Interface string `json:"interface,omitempty"`
}

// splitName resolves a networkName (<name> or <namespace>/<name>) against the
// VMI's namespace.
func splitName(networkName, namespace string) (ns, name string) {
	if i := strings.Index(networkName, "/"); i >= 0 {
		return networkName[:i], networkName[i+1:]
	}
	return namespace, networkName
}

// Annotations are the Multus annotations of the VMI's launcher pod: the
// secondary networks in spec order, each with its pod interface name, and
// the default network. Empty when the VMI has no Multus network.
func Annotations(vmi *virtv1.VirtualMachineInstance) map[string]string {
	out := map[string]string{}
	var sel []Selection
	for i := range vmi.Spec.Networks {
		n := &vmi.Spec.Networks[i]
		switch {
		case IsDefault(n):
			out[DefaultNetworkAnnotation] = n.Multus.NetworkName
		case IsSecondary(n):
			ns, name := splitName(n.Multus.NetworkName, vmi.Namespace)
			sel = append(sel, Selection{Name: name, Namespace: ns, Interface: PodInterfaceName(n)})
		}
	}
	if len(sel) > 0 {
		// A list of plain strings always encodes.
		raw, _ := json.Marshal(sel)
		out[NetworksAnnotation] = string(raw)
	}
	return out
}

// NetworkStatus is one entry of the network-status annotation (the fields
// kvirt reads).
type NetworkStatus struct {
	Name      string   `json:"name"`
	Interface string   `json:"interface,omitempty"`
	IPs       []string `json:"ips,omitempty"`
	MAC       string   `json:"mac,omitempty"`
	Default   bool     `json:"default,omitempty"`
}

// ParseNetworkStatus decodes the network-status annotation, keyed by pod
// interface name; nil when absent or malformed (Multus rewrites it whole).
func ParseNetworkStatus(annotations map[string]string) map[string]NetworkStatus {
	raw, ok := annotations[NetworkStatusAnnotation]
	if !ok {
		return nil
	}
	var list []NetworkStatus
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil
	}
	out := map[string]NetworkStatus{}
	for _, s := range list {
		if s.Interface != "" {
			out[s.Interface] = s
		}
	}
	return out
}
