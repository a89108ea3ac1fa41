package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
)

// Subprotocol is upstream's websocket subprotocol of a raw serial console.
const Subprotocol = "plain.kubevirt.io"

// Dial opens the serial console of a VMI through the kube-apiserver's aggregated
// subresources.kubevirt.io API, authenticating as cfg does (client certificate or
// bearer token).
func Dial(cfg *rest.Config, namespace, name string, timeout time.Duration) (*websocket.Conn, error) {
	tlsCfg, err := rest.TLSConfigFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("tls configuration: %w", err)
	}
	header := http.Header{}
	if cfg.BearerToken != "" {
		header.Set("Authorization", "Bearer "+cfg.BearerToken)
	}
	u, err := consoleURL(cfg.Host, namespace, name)
	if err != nil {
		return nil, err
	}
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Subprotocols: []string{Subprotocol}, HandshakeTimeout: timeout}
	ws, resp, err := d.Dial(u, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("console of %s/%s: %s: %w", namespace, name, resp.Status, err)
		}
		return nil, fmt.Errorf("console of %s/%s: %w", namespace, name, err)
	}
	return ws, nil
}

func consoleURL(host, namespace, name string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(host, "/"))
	if err != nil {
		return "", fmt.Errorf("apiserver address %q: %w", host, err)
	}
	if u.Scheme == "http" {
		u.Scheme = "ws"
	} else {
		u.Scheme = "wss"
	}
	gv := virtv1.SubresourceGroupVersion
	u.Path += fmt.Sprintf("/apis/%s/%s/namespaces/%s/virtualmachineinstances/%s/console", gv.Group, gv.Version, namespace, name)
	return u.String(), nil
}

// ReadUntil reads console output until want appears, the deadline passes or the
// connection ends, and returns everything read.
func ReadUntil(ws *websocket.Conn, want string, deadline time.Time) (string, error) {
	_ = ws.SetReadDeadline(deadline)
	var out strings.Builder
	for !strings.Contains(out.String(), want) {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return out.String(), fmt.Errorf("read console: %w", err)
		}
		out.Write(msg)
	}
	return out.String(), nil
}
