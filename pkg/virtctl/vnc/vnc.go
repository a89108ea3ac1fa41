package vnc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/serverlimits"
)

// Subprotocol is the websocket subprotocol upstream's virtctl vnc offers.
const Subprotocol = "plain.kubevirt.io"

// maxScreenshot bounds a downloaded screenshot.
const maxScreenshot = 64 << 20

// RefusedError is the API's answer when it does not open the display or take
// the screenshot: the HTTP code and the message of its Status.
type RefusedError struct {
	Code    int
	Message string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Code, http.StatusText(e.Code), e.Message)
}

func refusal(resp *http.Response) *RefusedError {
	r := &RefusedError{Code: resp.StatusCode, Message: resp.Status}
	if resp.Body == nil {
		return r
	}
	defer func() { _ = resp.Body.Close() }()
	var st metav1.Status
	if raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10)); err == nil && json.Unmarshal(raw, &st) == nil && st.Message != "" {
		r.Message = st.Message
	}
	return r
}

// subresourceURL is the address of a VMI subresource on the apiserver, with
// the websocket scheme when ws is set.
func subresourceURL(host, namespace, name, sub string, ws bool, query url.Values) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(host, "/"))
	if err != nil {
		return "", fmt.Errorf("apiserver address %q: %w", host, err)
	}
	if ws {
		u.Scheme = map[string]string{"http": "ws"}[u.Scheme]
		if u.Scheme == "" {
			u.Scheme = "wss"
		}
	}
	gv := virtv1.SubresourceGroupVersion
	u.Path += fmt.Sprintf("/apis/%s/%s/namespaces/%s/virtualmachineinstances/%s/%s", gv.Group, gv.Version, namespace, name, sub)
	u.RawQuery = query.Encode()
	return u.String(), nil
}

// Dial opens the VMI's VNC stream. With preserve, an active session is kept
// and the API refuses this one (409) instead of ending it.
func Dial(cfg *rest.Config, namespace, name string, preserve bool, timeout time.Duration) (*websocket.Conn, error) {
	tlsCfg, err := rest.TLSConfigFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("tls configuration: %w", err)
	}
	header := http.Header{}
	if cfg.BearerToken != "" {
		header.Set("Authorization", "Bearer "+cfg.BearerToken)
	}
	q := url.Values{}
	if preserve {
		q.Set("preserveSession", "true")
	}
	u, err := subresourceURL(cfg.Host, namespace, name, "vnc", true, q)
	if err != nil {
		return nil, err
	}
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Subprotocols: []string{Subprotocol}, HandshakeTimeout: timeout}
	ws, resp, err := d.Dial(u, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("vnc of %s/%s: %w", namespace, name, refusal(resp))
		}
		return nil, fmt.Errorf("vnc of %s/%s: %w", namespace, name, err)
	}
	// virt-api sends the display in chunks of 32 KiB: a larger message is
	// refused (1009) rather than buffered.
	ws.SetReadLimit(serverlimits.WebsocketReadLimit)
	return ws, nil
}

// Screenshot fetches the VMI's display as a PNG.
func Screenshot(ctx context.Context, cfg *rest.Config, namespace, name string, moveCursor bool) ([]byte, error) {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("http client: %w", err)
	}
	q := url.Values{}
	if moveCursor {
		q.Set("moveCursor", "true")
	}
	u, err := subresourceURL(cfg.Host, namespace, name, "vnc/screenshot", false, q)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("screenshot of %s/%s: %w", namespace, name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("screenshot of %s/%s: %w", namespace, name, refusal(resp))
	}
	defer func() { _ = resp.Body.Close() }()
	img, err := io.ReadAll(io.LimitReader(resp.Body, maxScreenshot))
	if err != nil {
		return nil, fmt.Errorf("read screenshot: %w", err)
	}
	return img, nil
}

// ServeOne accepts one viewer on ln, opens the VMI's stream with dial and
// relays both ways until either side ends or ctx does.
func ServeOne(ctx context.Context, ln net.Listener, dial func() (*websocket.Conn, error)) error {
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	viewer, err := ln.Accept()
	_ = ln.Close()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("accept viewer: %w", err)
	}
	defer func() { _ = viewer.Close() }()
	ws, err := dial()
	if err != nil {
		return err
	}
	defer func() { _ = ws.Close() }()
	return relay(ctx, viewer, ws)
}

// relay copies viewer bytes into binary messages and messages back.
func relay(ctx context.Context, viewer net.Conn, ws *websocket.Conn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = viewer.Close(); _ = ws.Close() })
	defer stop()
	go func() {
		defer cancel()
		buf := make([]byte, 32<<10)
		for {
			n, err := viewer.Read(buf)
			if n > 0 && ws.WriteMessage(websocket.BinaryMessage, buf[:n]) != nil {
				return
			}
			if err != nil {
				_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
				return
			}
		}
	}()
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			if ctx.Err() != nil || websocket.IsCloseError(err, websocket.CloseNormalClosure) || errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("vnc stream: %w", err)
		}
		if _, err := viewer.Write(msg); err != nil {
			return nil // the viewer went away
		}
	}
}
