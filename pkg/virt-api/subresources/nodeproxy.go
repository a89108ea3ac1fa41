package subresources

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/nodecert"
	"kvirt.io/kvirt/pkg/serverlimits"
	"kvirt.io/kvirt/pkg/wskeepalive"
)

const (
	// ConsoleSubprotocol is upstream's websocket subprotocol for a raw console.
	ConsoleSubprotocol = "plain.kubevirt.io"
	// nodeRequestTimeout bounds one forwarded command (not console streams).
	nodeRequestTimeout = 30 * time.Second
	// maxNodeBody bounds what is read back from virt-handler.
	maxNodeBody = 1 << 20
)

// NodeClientConfig says how virt-api authenticates to virt-handler's node
// API and how it verifies it.
type NodeClientConfig struct {
	// CertFile and KeyFile are virt-api's client certificate.
	CertFile, KeyFile string
	// CAFile is the bundle that signs virt-handler's serving certificates.
	CAFile string
	// HandlerNamespace, when set, is the install namespace of virt-handler:
	// the handler of a VMI's node must present that node's own certificate,
	// nodecert.ServerName(node, HandlerNamespace), whatever address is dialled.
	HandlerNamespace string
	// ServerName, when set (and HandlerNamespace is not), is the one DNS name
	// every virt-handler's certificate must carry; with neither, the dialled
	// address is verified.
	ServerName string
}

// NodeTLS builds virt-api's TLS configuration towards virt-handler, re-reading
// the client certificate and the CA bundle when their files change.
type NodeTLS struct {
	keys       *certs.Reloader
	cas        *certs.CAPool
	namespace  string
	serverName string
}

// NewNodeTLS loads the files once so that bad paths fail at start-up.
func NewNodeTLS(cfg NodeClientConfig) (*NodeTLS, error) {
	keys, err := certs.NewReloader(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("node api client certificate: %w", err)
	}
	cas, err := certs.NewCAPool(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("node api ca: %w", err)
	}
	return &NodeTLS{keys: keys, cas: cas, namespace: cfg.HandlerNamespace, serverName: cfg.ServerName}, nil
}

// ServerName is the name virt-api verifies in the certificate of node's
// virt-handler reached at addr (host:port).
func (n *NodeTLS) ServerName(node, addr string) string {
	switch {
	case n.namespace != "":
		return nodecert.ServerName(node, n.namespace)
	case n.serverName != "":
		return n.serverName
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// For returns the configuration of one connection to node's handler at addr:
// the current CA bundle, and the server name to verify.
func (n *NodeTLS) For(node, addr string) *tls.Config {
	return &tls.Config{
		ServerName: n.ServerName(node, addr), RootCAs: n.cas.Pool(), MinVersion: tls.VersionTLS13,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return n.keys.GetCertificate(nil)
		},
	}
}

// nodeKeepalive probes an idle connection to virt-handler (a console
// stream carries no frames of its own to ping with): TCP keepalives keep
// conntrack and NAT state alive and find a handler that went away.
var nodeKeepalive = net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 15 * time.Second, Count: 4}

// handlerTarget is the node and address a forwarded request is for, carried
// to the transport's dial in the request context.
type handlerTarget struct{ node, addr string }

type handlerTargetKey struct{}

// urlHost is the host of request URLs to node's handler at addr. The HTTP
// transport pools connections by it, so with per-node names it is the node's
// name and port: a pooled connection is always one whose handler proved to
// be that node's, even if two nodes published one address.
func (n *NodeTLS) urlHost(node, addr string) string {
	if n.namespace == "" {
		return addr
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return net.JoinHostPort(n.ServerName(node, addr), port)
}

// dialTransport is the HTTP transport's DialTLSContext: it dials the address
// the request context names (the URL host may be the node's name).
func (n *NodeTLS) dialTransport(ctx context.Context, network, hostport string) (net.Conn, error) {
	t, ok := ctx.Value(handlerTargetKey{}).(handlerTarget)
	if !ok {
		t = handlerTarget{addr: hostport}
	}
	return n.dialTLS(ctx, network, t.node, t.addr)
}

// dialTLS opens a TLS connection to node's virt-handler at addr.
func (n *NodeTLS) dialTLS(ctx context.Context, network, node, addr string) (net.Conn, error) {
	d := tls.Dialer{Config: n.For(node, addr), NetDialer: &net.Dialer{KeepAliveConfig: nodeKeepalive}}
	return d.DialContext(ctx, network, addr)
}

// nodeSide resolves the VMI's virt-handler and forwards the request to it.
func (s *Server) nodeSide(w http.ResponseWriter, req *http.Request, t target) {
	var body []byte
	sub := t.sub
	if t.sub == subPortForward {
		var ref *refusal
		if sub, ref = decidePortForward(req); ref != nil {
			refuse(w, ref)
			return
		}
		sub = strings.TrimPrefix(sub, "/")
	}
	if t.sub == "freeze" {
		var ref *refusal
		if body, ref = freezeBody(req); ref != nil {
			refuse(w, ref)
			return
		}
	}
	if s.cfg.NodeTLS == nil {
		writeStatus(w, &apierrors.NewServiceUnavailable(fmt.Sprintf(
			"%s is served by virt-handler, but virt-api has no node API client certificate configured", t.sub)).ErrStatus)
		return
	}
	ctx := req.Context()
	vmi, ref, err := s.nodeVMI(ctx, t)
	if err != nil {
		writeError(w, err)
		return
	}
	if ref == nil {
		ref = decideNodeRequest(t.sub, vmi)
	}
	if ref != nil {
		refuse(w, ref)
		return
	}
	node, err := s.cfg.Kube.CoreV1().Nodes().Get(ctx, vmi.Status.NodeName, metav1.GetOptions{})
	if err != nil {
		writeError(w, fmt.Errorf("get node %s: %w", vmi.Status.NodeName, err))
		return
	}
	addr, ref := handlerAddress(node)
	if ref != nil {
		refuse(w, ref)
		return
	}
	path := fmt.Sprintf("/v1/namespaces/%s/virtualmachineinstances/%s/%s", t.namespace, t.name, sub)
	if req.URL.RawQuery != "" {
		path += "?" + req.URL.RawQuery // preserveSession, moveCursor
	}
	klog.FromContext(ctx).V(2).Info("forwarding to virt-handler", "address", addr, "path", path)
	to := handlerTarget{node: node.Name, addr: addr}
	if kind, ok := streams[t.sub]; ok {
		s.stream(w, req, to, path, kind)
		return
	}
	s.forward(w, req, to, path, body, nodeBodyLimit(t.sub))
}

// nodeVMI reads the VMI a node-side request addresses; the console waits for
// it to run on a node first.
func (s *Server) nodeVMI(ctx context.Context, t target) (*virtv1.VirtualMachineInstance, *refusal, error) {
	if t.sub == "console" {
		return s.awaitConsole(ctx, t)
	}
	vmi, err := s.cfg.Kvirt.KubevirtV1().VirtualMachineInstances(t.namespace).Get(ctx, t.name, metav1.GetOptions{})
	return vmi, nil, err
}

// forward relays one command and answers with virt-handler's verdict.
func (s *Server) forward(w http.ResponseWriter, req *http.Request, to handlerTarget, path string, body []byte, limit int64) {
	ctx, cancel := context.WithTimeout(req.Context(), nodeRequestTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, handlerTargetKey{}, to)
	addr := to.addr
	var in io.Reader
	if body != nil {
		in = bytes.NewReader(body)
	}
	out, err := http.NewRequestWithContext(ctx, req.Method, "https://"+s.cfg.NodeTLS.urlHost(to.node, addr)+path, in)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := s.nodeClient.Do(out)
	if err != nil {
		writeNodeFailure(w, http.StatusBadGateway, fmt.Sprintf("reach virt-handler at %s: %v", addr, err))
		return
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		writeNodeFailure(w, http.StatusBadGateway, fmt.Sprintf("read virt-handler answer: %v", err))
		return
	}
	if resp.StatusCode != http.StatusOK {
		writeNodeFailure(w, resp.StatusCode, strings.TrimSpace(string(answer)))
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(answer)
}

// writeNodeFailure answers with virt-handler's code (409 refused, 404 not on
// that node, 502/503 unreachable) and its message.
func writeNodeFailure(w http.ResponseWriter, code int, msg string) {
	st := metav1.Status{Status: metav1.StatusFailure, Code: int32(code), Message: msg}
	switch code {
	case http.StatusConflict:
		st.Reason = metav1.StatusReasonConflict
	case http.StatusNotFound:
		st.Reason = metav1.StatusReasonNotFound
	case http.StatusServiceUnavailable, http.StatusBadGateway:
		st.Reason = metav1.StatusReasonServiceUnavailable
	default:
		st.Reason = metav1.StatusReasonInternalError
	}
	writeStatus(w, &st)
}

// stream dials virt-handler's stream of kind first (so failures are still
// plain HTTP answers), then upgrades the caller to a websocket with the kind's
// subprotocol and relays binary messages both ways.
func (s *Server) stream(w http.ResponseWriter, req *http.Request, to handlerTarget, path string, kind streamKind) {
	if !websocket.IsWebSocketUpgrade(req) {
		// Refused before virt-handler is asked: opening a VNC stream ends the
		// current viewer's session.
		writeStatus(w, &apierrors.NewBadRequest("this subresource is a websocket: ask for an upgrade").ErrStatus)
		return
	}
	nodeConn, rest, err := s.dialStream(req.Context(), to, path, kind.upgrade)
	if err != nil {
		var refused *nodeRefusal
		if errors.As(err, &refused) {
			writeNodeFailure(w, refused.code, refused.msg)
			return
		}
		writeNodeFailure(w, http.StatusBadGateway, err.Error())
		return
	}
	defer func() { _ = nodeConn.Close() }()
	up := websocket.Upgrader{
		Subprotocols: kind.subprotocols,
		// Requests arrive only through the aggregator, authenticated above.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	ws, err := up.Upgrade(w, req, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer func() { _ = ws.Close() }()
	serverlimits.Upgraded(ws.NetConn())
	// A client message larger than a console or VNC frame could be ends the
	// stream with 1009 (message too big) instead of growing virt-api's memory.
	ws.SetReadLimit(serverlimits.WebsocketReadLimit)
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = ws.Close(); _ = nodeConn.Close() })
	defer stop()
	// Pings keep an idle console open through the aggregator and any proxy in
	// front of it; a client that stops answering them is dropped.
	go wskeepalive.Ping(ctx, ws, s.cfg.ConsoleKeepalive)
	go func() {
		defer cancel()
		touch := wskeepalive.Watch(ws, s.cfg.ConsoleKeepalive)
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			touch()
			if _, err := nodeConn.Write(msg); err != nil {
				return
			}
		}
	}()
	chunk := make([]byte, 32<<10)
	for {
		n, err := rest.Read(chunk)
		if n > 0 && ws.WriteMessage(websocket.BinaryMessage, chunk[:n]) != nil {
			return
		}
		if err != nil {
			return
		}
	}
}

// dialStream opens virt-handler's upgrade to a raw stream and returns it.
func (s *Server) dialStream(ctx context.Context, to handlerTarget, path, upgrade string) (net.Conn, io.Reader, error) {
	dialCtx, cancel := context.WithTimeout(ctx, nodeRequestTimeout)
	defer cancel()
	addr := to.addr
	conn, err := s.cfg.NodeTLS.dialTLS(dialCtx, "tcp", to.node, addr)
	if err != nil {
		return nil, nil, fmt.Errorf("reach virt-handler at %s: %w", addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(nodeRequestTimeout))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n",
		path, addr, upgrade); err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("ask virt-handler for the %s stream: %w", upgrade, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("read virt-handler %s answer: %w", upgrade, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxNodeBody))
		_ = conn.Close()
		return nil, nil, &nodeRefusal{code: resp.StatusCode, msg: strings.TrimSpace(string(body))}
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, br, nil
}
