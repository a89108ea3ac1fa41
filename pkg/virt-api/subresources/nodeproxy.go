package subresources

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
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
	// ServerName, when set, is the DNS name every virt-handler's certificate
	// must carry, whatever address is dialled; empty verifies the address.
	ServerName string
}

// NodeTLS builds virt-api's TLS configuration towards virt-handler, re-reading
// the client certificate and the CA bundle when their files change.
type NodeTLS struct {
	keys       *certs.Reloader
	cas        *certs.CAPool
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
	return &NodeTLS{keys: keys, cas: cas, serverName: cfg.ServerName}, nil
}

// For returns the configuration of one connection to addr (host:port): the
// current CA bundle, and the server name to verify.
func (n *NodeTLS) For(addr string) *tls.Config {
	name := n.serverName
	if name == "" {
		name = addr
		if host, _, err := net.SplitHostPort(addr); err == nil {
			name = host
		}
	}
	return &tls.Config{
		ServerName: name, RootCAs: n.cas.Pool(), MinVersion: tls.VersionTLS13,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return n.keys.GetCertificate(nil)
		},
	}
}

// dialTLS opens a TLS connection to virt-handler at addr.
func (n *NodeTLS) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	d := tls.Dialer{Config: n.For(addr)}
	return d.DialContext(ctx, network, addr)
}

// nodeSide resolves the VMI's virt-handler and forwards the request to it.
func (s *Server) nodeSide(w http.ResponseWriter, req *http.Request, t target) {
	var body []byte
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
	path := fmt.Sprintf("/v1/namespaces/%s/virtualmachineinstances/%s/%s", t.namespace, t.name, t.sub)
	klog.FromContext(ctx).V(2).Info("forwarding to virt-handler", "address", addr, "path", path)
	if t.sub == "console" {
		s.console(w, req, addr, path)
		return
	}
	s.forward(w, req, addr, path, body)
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
func (s *Server) forward(w http.ResponseWriter, req *http.Request, addr, path string, body []byte) {
	ctx, cancel := context.WithTimeout(req.Context(), nodeRequestTimeout)
	defer cancel()
	var in io.Reader
	if body != nil {
		in = bytes.NewReader(body)
	}
	out, err := http.NewRequestWithContext(ctx, req.Method, "https://"+addr+path, in)
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
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxNodeBody))
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

// console dials virt-handler's console stream first (so failures are still
// plain HTTP answers), then upgrades the caller to a websocket with the
// plain.kubevirt.io subprotocol and relays binary messages both ways.
func (s *Server) console(w http.ResponseWriter, req *http.Request, addr, path string) {
	nodeConn, rest, err := s.dialConsole(req.Context(), addr, path)
	if err != nil {
		writeNodeFailure(w, http.StatusBadGateway, err.Error())
		return
	}
	defer func() { _ = nodeConn.Close() }()
	up := websocket.Upgrader{
		Subprotocols: []string{ConsoleSubprotocol},
		// Requests arrive only through the aggregator, authenticated above.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	ws, err := up.Upgrade(w, req, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer func() { _ = ws.Close() }()
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = ws.Close(); _ = nodeConn.Close() })
	defer stop()
	go func() {
		defer cancel()
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if _, err := nodeConn.Write(msg); err != nil {
				return
			}
		}
	}()
	chunk := make([]byte, 4096)
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

// dialConsole opens virt-handler's console upgrade and returns the raw stream.
func (s *Server) dialConsole(ctx context.Context, addr, path string) (net.Conn, io.Reader, error) {
	dialCtx, cancel := context.WithTimeout(ctx, nodeRequestTimeout)
	defer cancel()
	conn, err := s.cfg.NodeTLS.dialTLS(dialCtx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("reach virt-handler at %s: %w", addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(nodeRequestTimeout))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: kvirt-console\r\n\r\n",
		path, addr); err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("ask virt-handler for the console: %w", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("read virt-handler console answer: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxNodeBody))
		_ = conn.Close()
		return nil, nil, fmt.Errorf("virt-handler refused the console (%d): %s", resp.StatusCode,
			strings.TrimSpace(string(body)))
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, br, nil
}
