package subresources

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

const (
	subPortForward = "portforward"
	paramPort      = "/{port}"
	paramProto     = "/{protocol}"
	// PortForwardUpgrade is the Upgrade token of virt-handler's port-forward
	// stream.
	PortForwardUpgrade = "kvirt-portforward"
	// msgUDPUnsupported: a websocket relayed as a byte stream keeps no
	// datagram boundaries, so kvirt forwards tcp only and says so.
	msgUDPUnsupported = "port-forward of udp is not supported by kvirt; use tcp"
)

// operationName is a route's OpenAPI operation name: its RBAC name with the
// path parameters it takes, so that the forms of portforward stay apart.
func operationName(r route) string {
	name := strings.ReplaceAll(r.name(), "/", "-")
	if strings.Contains(r.params, paramProto) {
		name += "-protocol"
	}
	if r.resource == resDataVolumes && r.method == http.MethodPost {
		name += "-post"
	}
	return name
}

// routeParams documents a route's path parameters after the name.
func routeParams(r route) [][2]string {
	var out [][2]string
	if strings.Contains(r.params, paramPort) {
		out = append(out, [2]string{"port", "the guest's port to forward to (1-65535)"})
	}
	if strings.Contains(r.params, paramProto) {
		out = append(out, [2]string{"protocol", "tcp (the default); udp is refused"})
	}
	return out
}

// portForwardDoc is the OpenAPI description of a portforward route.
func portForwardDoc(r route) string {
	what := "the VirtualMachineInstance"
	if r.resource == resVMs {
		what = "the running VirtualMachineInstance of the VirtualMachine"
	}
	return "Opens a websocket (subprotocol " + ConsoleSubprotocol + ") forwarding a byte stream to a port of " + what + "."
}

// decidePortForward reads the port and protocol of a portforward request:
// the port must be a number of 1-65535, the protocol tcp (the default); udp
// and anything else are refused with 400. Where the stream goes (the guest's
// address) virt-handler decides from the VMI alone.
func decidePortForward(req *http.Request) (string, *refusal) {
	port, err := strconv.ParseUint(req.PathValue("port"), 10, 16)
	if err != nil || port == 0 {
		return "", badRequest(fmt.Sprintf("invalid port %q: want a number of 1-65535", req.PathValue("port")))
	}
	proto := req.PathValue("protocol")
	switch proto {
	case "", "tcp":
		proto = "tcp"
	case "udp":
		return "", badRequest(msgUDPUnsupported)
	default:
		return "", badRequest(fmt.Sprintf("invalid protocol %q: want tcp", proto))
	}
	return fmt.Sprintf("/%s/%d/%s", subPortForward, port, proto), nil
}
