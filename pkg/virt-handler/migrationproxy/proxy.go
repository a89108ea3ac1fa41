package migrationproxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/netrelay"
	"kvirt.io/kvirt/pkg/nodecert"
)

// Stream names one of a migration's connections.
type Stream string

// The streams of a migration.
const (
	// StreamLibvirt is the source libvirt's connection to the target's libvirtd.
	StreamLibvirt Stream = "libvirt"
	// StreamMemory is QEMU's migration stream.
	StreamMemory Stream = "memory"
	// StreamDisks carries the copies of non-shared disks (NBD).
	StreamDisks Stream = "disks"
	// StreamDomain answers with the target launcher's prepared domain
	// definition, whose paths the source's launcher adopts (Fetch, Bytes).
	StreamDomain Stream = "domain"
)

// ALPN is the TLS application protocol of migration connections: a server
// that also speaks HTTPS tells them apart by it (NextProto).
const ALPN = "kvirt.io/migration"

// Header opens every relayed connection.
type Header struct {
	MigrationUID string `json:"migrationUID"`
	Stream       Stream `json:"stream"`
}

// handshakeTimeout bounds the TLS handshake and the header exchange.
const handshakeTimeout = 10 * time.Second

// maxHeader bounds the header line.
const maxHeader = 4096

// Opener opens the local end of a stream.
type Opener func(ctx context.Context) (net.Conn, error)

// Authorizer decides whether the handler of peerNode may open h's stream
// and, if so, how to open its local end.
type Authorizer func(ctx context.Context, peerNode string, h Header) (Opener, error)

// Server is the target's end: it accepts relayed connections.
type Server struct {
	// TLS serves this node's certificate and requires a client certificate
	// from the install's CA (tls.RequireAndVerifyClientCert).
	TLS *tls.Config
	// Namespace is the install's: client certificates name
	// <node>.virt-handler.<namespace>.svc.
	Namespace string
	Authorize Authorizer
}

// Serve accepts on ln until ctx ends or ln fails.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept migration connections: %w", err)
		}
		go s.handle(ctx, c)
	}
}

func (s *Server) handle(ctx context.Context, raw net.Conn) {
	cfg := s.TLS.Clone()
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = []string{ALPN}
	}
	conn := tls.Server(raw, cfg)
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := conn.HandshakeContext(ctx); err != nil {
		klog.FromContext(ctx).V(2).Info("migration connection refused", "remote", raw.RemoteAddr().String(),
			"err", err.Error())
		return
	}
	s.serve(ctx, conn)
}

// NextProto serves the connections that negotiated ALPN on a server of
// another protocol (http.Server.TLSNextProto), so migrations share its port
// and its TLS configuration, which must require a client certificate.
func (s *Server) NextProto(ctx context.Context) func(*http.Server, *tls.Conn, http.Handler) {
	return func(_ *http.Server, conn *tls.Conn, _ http.Handler) {
		defer func() { _ = conn.Close() }()
		_ = conn.SetDeadline(time.Now().Add(handshakeTimeout))
		s.serve(ctx, conn)
	}
}

// serve relays one handshaken connection: it learns the peer from its
// certificate, reads the header and asks the Authorizer.
func (s *Server) serve(ctx context.Context, conn *tls.Conn) {
	log := klog.FromContext(ctx).WithValues("remote", conn.RemoteAddr().String())
	peer, err := s.peerNode(conn.ConnectionState())
	if err != nil {
		log.Info("migration connection refused", "err", err.Error())
		return
	}
	r := bufio.NewReaderSize(conn, maxHeader)
	h, err := readHeader(r)
	if err != nil {
		log.Info("migration connection refused", "peer", peer, "err", err.Error())
		return
	}
	open, err := s.Authorize(ctx, peer, h)
	var local net.Conn
	if err == nil {
		local, err = open(ctx)
	}
	if err != nil {
		log.Info("migration stream refused", "peer", peer, "migration", h.MigrationUID, "stream", h.Stream,
			"err", err.Error())
		_, _ = fmt.Fprintf(conn, "ERR %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return
	}
	defer func() { _ = local.Close() }()
	if _, err := io.WriteString(conn, "OK\n"); err != nil {
		return
	}
	_ = conn.SetDeadline(time.Time{})
	netrelay.Pipe(&bufferedConn{Conn: conn, r: r}, local)
}

// peerNode is the node named by the client's verified certificate.
func (s *Server) peerNode(st tls.ConnectionState) (string, error) {
	if len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) == 0 {
		return "", errors.New("no verified client certificate")
	}
	leaf := st.VerifiedChains[0][0]
	for _, name := range leaf.DNSNames {
		if node, ok := nodecert.NodeOf(name, s.Namespace); ok {
			return node, nil
		}
	}
	return "", fmt.Errorf("client certificate %q names no virt-handler of this install", leaf.Subject.CommonName)
}

func readHeader(r *bufio.Reader) (Header, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return Header{}, fmt.Errorf("read header: %w", err)
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil {
		return Header{}, fmt.Errorf("decode header: %w", err)
	}
	switch h.Stream {
	case StreamLibvirt, StreamMemory, StreamDisks, StreamDomain:
	default:
		return Header{}, fmt.Errorf("unknown stream %q", h.Stream)
	}
	if h.MigrationUID == "" {
		return Header{}, errors.New("header names no migration")
	}
	return h, nil
}

// Dialer is the source's end: it opens relayed connections to the target.
type Dialer struct {
	// TLS presents this node's certificate and trusts the install's CA.
	TLS *tls.Config
	// Roots, when set, is the install's CA bundle now (it rotates), used
	// instead of TLS.RootCAs.
	Roots     func() *x509.CertPool
	Namespace string
}

// Dial opens h's stream to the handler of targetNode at addr, verifying that
// the server is that node's handler.
func (d Dialer) Dial(ctx context.Context, addr, targetNode string, h Header) (net.Conn, error) {
	cfg := d.TLS.Clone()
	cfg.ServerName = nodecert.ServerName(targetNode, d.Namespace)
	cfg.NextProtos = []string{ALPN}
	if d.Roots != nil {
		cfg.RootCAs = d.Roots()
	}
	if d.Roots != nil {
		cfg.RootCAs = d.Roots()
	}
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: handshakeTimeout}, Config: cfg}
	raw, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial the migration proxy of %s at %s: %w", targetNode, addr, err)
	}
	conn := raw.(*tls.Conn)
	if p := conn.ConnectionState().NegotiatedProtocol; p != ALPN {
		_ = conn.Close()
		return nil, fmt.Errorf("the handler of %s at %s does not serve migrations (application protocol %q)", targetNode, addr, p)
	}
	_ = conn.SetDeadline(time.Now().Add(handshakeTimeout))
	line, err := json.Marshal(h)
	if err == nil {
		_, err = conn.Write(append(line, '\n'))
	}
	r := bufio.NewReaderSize(conn, maxHeader)
	var reply string
	if err == nil {
		reply, err = r.ReadString('\n')
	}
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("open the %s stream at %s: %w", h.Stream, targetNode, err)
	}
	if reply != "OK\n" {
		_ = conn.Close()
		return nil, fmt.Errorf("%s refused the %s stream: %s", targetNode, h.Stream,
			strings.TrimSpace(strings.TrimPrefix(reply, "ERR ")))
	}
	_ = conn.SetDeadline(time.Time{})
	return &bufferedConn{Conn: conn, r: r}, nil
}

// maxDomain bounds a fetched domain definition.
const maxDomain = 1 << 20

// Bytes is an Opener whose stream answers b and ends; what the peer sends is
// discarded.
func Bytes(b []byte) Opener {
	return func(context.Context) (net.Conn, error) {
		local, remote := net.Pipe()
		go func() {
			defer func() { _ = remote.Close() }()
			go func() { _, _ = io.Copy(io.Discard, remote) }()
			_, _ = remote.Write(b)
		}()
		return local, nil
	}
}

// Fetch reads the whole answer of migration uid's domain stream from the
// handler of targetNode at addr.
func (d Dialer) Fetch(ctx context.Context, addr, targetNode, uid string) ([]byte, error) {
	c, err := d.Dial(ctx, addr, targetNode, Header{MigrationUID: uid, Stream: StreamDomain})
	if err != nil {
		return nil, err
	}
	defer func() { _ = c.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	b, err := io.ReadAll(io.LimitReader(c, maxDomain+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read the target's domain from %s: %w", targetNode, err)
	case len(b) > maxDomain:
		return nil, fmt.Errorf("the target's domain from %s is over %d bytes", targetNode, maxDomain)
	case len(b) == 0:
		return nil, fmt.Errorf("%s sent an empty domain", targetNode)
	}
	return b, nil
}

// Relay accepts on ln until it closes and relays each connection to a new
// one from open (netrelay.Relay).
func Relay(ctx context.Context, ln net.Listener, open Opener) {
	netrelay.Relay(ctx, ln, netrelay.Opener(open))
}

// bufferedConn reads through r, which may hold bytes read past the header.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// CloseWrite passes a write shutdown to the underlying connection.
func (c *bufferedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}
