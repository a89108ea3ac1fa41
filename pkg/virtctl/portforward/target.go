package portforward

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	virtv1 "kvirt.io/api/core/v1"
)

// Target is the VM or VMI a stream goes to.
type Target struct {
	// Resource is virtualmachines or virtualmachineinstances.
	Resource string
	Name     string
	// Namespace, when set, overrides the context's namespace.
	Namespace string
}

// ParseTarget reads upstream's TYPE/NAME[/NAMESPACE] (TYPE vm, vmi,
// virtualmachine, virtualmachineinstance, or their plurals).
func ParseTarget(s string) (Target, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[1] == "" {
		return Target{}, fmt.Errorf("target %q: want TYPE/NAME[/NAMESPACE], e.g. vm/my-vm", s)
	}
	t := Target{Name: parts[1]}
	if len(parts) == 3 {
		t.Namespace = parts[2]
	}
	switch strings.ToLower(parts[0]) {
	case "vm", "vms", "virtualmachine", "virtualmachines":
		t.Resource = "virtualmachines"
	case "vmi", "vmis", "virtualmachineinstance", "virtualmachineinstances":
		t.Resource = "virtualmachineinstances"
	default:
		return Target{}, fmt.Errorf("target %q: unsupported type %q (want vm or vmi)", s, parts[0])
	}
	return t, nil
}

// Ports is one forwarding: a local port and the guest's.
type Ports struct {
	Local, Remote uint16
}

// ErrUDP: kvirt forwards tcp only.
var ErrUDP = errors.New("udp port-forward is not supported by kvirt; use tcp")

// ParsePorts reads upstream's [PROTOCOL/]LOCAL[:REMOTE]: one port is both;
// local 0 picks a free port; the protocol is tcp.
func ParsePorts(s string) (Ports, error) {
	if proto, rest, ok := strings.Cut(s, "/"); ok {
		switch strings.ToLower(proto) {
		case "tcp":
		case "udp":
			return Ports{}, ErrUDP
		default:
			return Ports{}, fmt.Errorf("ports %q: unknown protocol %q", s, proto)
		}
		s = rest
	}
	local, remote, two := strings.Cut(s, ":")
	if !two {
		remote = local
	}
	l, err := strconv.ParseUint(local, 10, 16)
	if err != nil {
		return Ports{}, fmt.Errorf("local port %q: %w", local, err)
	}
	r, err := strconv.ParseUint(remote, 10, 16)
	if err != nil || r == 0 {
		return Ports{}, fmt.Errorf("remote port %q: want 1-65535", remote)
	}
	return Ports{Local: uint16(l), Remote: uint16(r)}, nil
}

// Path is the subresource path of a port-forward to port of t in namespace.
func Path(t Target, namespace string, port uint16) string {
	gv := virtv1.SubresourceGroupVersion
	return fmt.Sprintf("/apis/%s/%s/namespaces/%s/%s/%s/portforward/%d/tcp", gv.Group, gv.Version, namespace,
		t.Resource, t.Name, port)
}
