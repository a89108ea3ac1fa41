package subresources

import "fmt"

const (
	// VNCSubprotocol is the websocket subprotocol upstream's virtctl vnc
	// offers: the same raw byte stream as the console's.
	VNCSubprotocol = ConsoleSubprotocol
	// binarySubprotocol is accepted too, for viewers that name their binary
	// stream so (noVNC's convention).
	binarySubprotocol = "binary.kubevirt.io"

	subVNC        = "vnc"
	subScreenshot = "vnc/screenshot"
	msgNoGraphics = "No graphics devices are present."

	// maxScreenshotBody bounds a screenshot read back from virt-handler.
	maxScreenshotBody = 64 << 20
)

// streamKind is a node-side subresource served as a websocket: the Upgrade
// token of virt-handler's raw stream and the subprotocols offered to clients.
type streamKind struct {
	upgrade      string
	subprotocols []string
}

// streams are the node-side subresources relayed as streams.
var streams = map[string]streamKind{
	"console": {upgrade: "kvirt-console", subprotocols: []string{ConsoleSubprotocol}},
	subVNC:    {upgrade: "kvirt-vnc", subprotocols: []string{VNCSubprotocol, binarySubprotocol}},
	// Upstream's virtctl port-forward offers the console's subprotocol.
	subPortForward: {upgrade: PortForwardUpgrade, subprotocols: []string{ConsoleSubprotocol, binarySubprotocol}},
}

// nodeBodyLimit bounds what a forwarded command's answer may be.
func nodeBodyLimit(sub string) int64 {
	if sub == subScreenshot {
		return maxScreenshotBody
	}
	return maxNodeBody
}

// nodeRefusal is virt-handler's answer to a stream it would not open (409
// for a VNC session in use with preserveSession, 404 for a VMI not on the
// node, ...), handed to the caller with its code.
type nodeRefusal struct {
	code int
	msg  string
}

func (r *nodeRefusal) Error() string {
	return fmt.Sprintf("virt-handler refused the stream (%d): %s", r.code, r.msg)
}

// displayParams are the query parameters and success media type of the
// display routes, as upstream's.
func displayParams(sub string) ([][2]string, string) {
	switch sub {
	case subVNC:
		return [][2]string{{"preserveSession", "refuse (409) rather than end a VNC session that is already active"}}, ""
	case subScreenshot:
		return [][2]string{{"moveCursor", "move the pointer first, to wake a blanked screen"}}, "image/png"
	}
	return nil, ""
}

// mediaType is what the operation answers on success.
func (op operation) mediaType() string {
	if op.produces != "" {
		return op.produces
	}
	return "application/json"
}
