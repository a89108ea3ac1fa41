package console

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
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

// Subprotocol is upstream's websocket subprotocol of a raw serial console.
const Subprotocol = "plain.kubevirt.io"

// Dial opens the serial console of a VMI through the kube-apiserver's aggregated
// subresources.kubevirt.io API. The handshake goes through client-go's own
// transport wrappers (rest.HTTPWrappersForConfig), so it authenticates exactly
// as kubectl would with cfg: client certificates, bearer tokens and token files,
// exec credential plugins, auth providers such as OIDC, and --as/--as-group
// impersonation.
func Dial(cfg *rest.Config, namespace, name string, timeout time.Duration) (*websocket.Conn, error) {
	gv := virtv1.SubresourceGroupVersion
	path := fmt.Sprintf("/apis/%s/%s/namespaces/%s/virtualmachineinstances/%s/console", gv.Group, gv.Version, namespace, name)
	ws, err := DialPath(cfg, path, timeout)
	if err != nil {
		return nil, fmt.Errorf("console of %s/%s: %w", namespace, name, err)
	}
	return ws, nil
}

// DialPath opens the websocket at path on the apiserver with upstream's raw
// stream subprotocol, authenticating as Dial does (port-forward uses it too).
func DialPath(cfg *rest.Config, path string, timeout time.Duration) (*websocket.Conn, error) {
	tlsCfg, err := rest.TLSConfigFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("tls configuration: %w", err)
	}
	u, err := wsURL(cfg.Host, path)
	if err != nil {
		return nil, err
	}
	d := &dialer{tls: tlsCfg, proxy: cfg.Proxy, timeout: timeout}
	rt, err := rest.HTTPWrappersForConfig(cfg, d)
	if err != nil {
		return nil, fmt.Errorf("transport for %s: %w", cfg.Host, err)
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("stream request: %w", err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.Body != nil {
		_ = resp.Body.Close()
	}
	return d.conn, nil
}

// dialer is the innermost round tripper: it performs the websocket handshake
// with the headers the client-go wrappers put on the request and keeps the
// connection; a refused handshake becomes a RefusedError.
type dialer struct {
	tls     *tls.Config
	proxy   func(*http.Request) (*url.URL, error)
	timeout time.Duration
	conn    *websocket.Conn
}

func (d *dialer) RoundTrip(req *http.Request) (*http.Response, error) {
	proxy := d.proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	wd := websocket.Dialer{TLSClientConfig: d.tls, Proxy: proxy, Subprotocols: []string{Subprotocol}, HandshakeTimeout: d.timeout}
	ws, resp, err := wd.DialContext(req.Context(), req.URL.String(), req.Header)
	if err != nil {
		if resp != nil {
			return nil, refusal(resp)
		}
		return nil, err
	}
	// virt-api sends the console in chunks of 32 KiB: a larger message is
	// refused (1009) rather than buffered.
	ws.SetReadLimit(serverlimits.WebsocketReadLimit)
	d.conn = ws
	return resp, nil
}

// noSerialConsole is upstream's answer for a VMI without a serial console.
const noSerialConsole = "No serial consoles are present."

// RefusedError is the API's answer when it does not open the console: the
// HTTP code and the message of the Status it sent.
type RefusedError struct {
	Code    int
	Message string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Code, http.StatusText(e.Code), e.Message)
}

// Retryable says whether asking again can succeed: as upstream's clients, a 400
// (the VMI does not run yet, or did not within virt-api's wait) is retried —
// except the VMI having no serial console, which no retry changes — and so
// are unavailable or overloaded servers; 401/403/404/409 are final.
func (e *RefusedError) Retryable() bool {
	switch {
	case e.Code == http.StatusBadRequest:
		return e.Message != noSerialConsole
	case e.Code == http.StatusTooManyRequests, e.Code >= http.StatusInternalServerError:
		return true
	}
	return false
}

// refusal reads the Status of a refused handshake (its message, or the HTTP
// status line when the body is no Status).
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

func consoleURL(host, namespace, name string) (string, error) {
	gv := virtv1.SubresourceGroupVersion
	return wsURL(host, fmt.Sprintf("/apis/%s/%s/namespaces/%s/virtualmachineinstances/%s/console", gv.Group, gv.Version, namespace, name))
}

// wsURL is path on the apiserver at host, with the websocket scheme.
func wsURL(host, path string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(host, "/"))
	if err != nil {
		return "", fmt.Errorf("apiserver address %q: %w", host, err)
	}
	if u.Scheme == "http" {
		u.Scheme = "ws"
	} else {
		u.Scheme = "wss"
	}
	u.Path += path
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
