package migrationproxy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kvirt.io/kvirt/pkg/nodecert"
)

const ns = "kubevirt"

// testCA issues node certificates the way virt-operator's signer does.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

func (ca *testCA) node(t *testing.T, node string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	name := nodecert.ServerName(node, ns)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// target serves node-b's end; it lets node-a open migration m1's streams to
// an echo server that upper-cases what it reads.
func target(t *testing.T, ca *testCA) string {
	t.Helper()
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = echo.Close() })
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() {
				b, _ := io.ReadAll(c)
				_, _ = c.Write([]byte(strings.ToUpper(string(b))))
				_ = c.Close()
			}()
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Namespace: ns,
		TLS: &tls.Config{Certificates: []tls.Certificate{ca.node(t, "node-b")}, ClientCAs: ca.pool,
			ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13},
		Authorize: func(_ context.Context, peer string, h Header) (Opener, error) {
			if peer != "node-a" || h.MigrationUID != "m1" {
				return nil, errors.New("not this node's migration")
			}
			if h.Stream == StreamDomain {
				return Bytes([]byte("<domain type='qemu'/>")), nil
			}
			return func(context.Context) (net.Conn, error) { return net.Dial("tcp", echo.Addr().String()) }, nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = srv.Serve(ctx, ln) }()
	return ln.Addr().String()
}

func dialer(ca *testCA, cert tls.Certificate) Dialer {
	return Dialer{Namespace: ns, TLS: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: ca.pool,
		MinVersion: tls.VersionTLS13}}
}

// roundTrip sends msg on the stream and reads the answer until EOF.
func roundTrip(t *testing.T, c net.Conn, msg string) string {
	t.Helper()
	defer func() { _ = c.Close() }()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAuthorizedStreamIsRelayedBothWays(t *testing.T) {
	ca := newCA(t)
	addr := target(t, ca)
	c, err := dialer(ca, ca.node(t, "node-a")).Dial(context.Background(), addr, "node-b",
		Header{MigrationUID: "m1", Stream: StreamMemory})
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, c, "guest memory"); got != "GUEST MEMORY" {
		t.Errorf("relayed answer %q", got)
	}
}

func TestFetchDomain(t *testing.T) {
	ca := newCA(t)
	addr := target(t, ca)
	d := dialer(ca, ca.node(t, "node-a"))
	got, err := d.Fetch(context.Background(), addr, "node-b", "m1")
	if err != nil || string(got) != "<domain type='qemu'/>" {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	if _, err := d.Fetch(context.Background(), addr, "node-b", "m2"); err == nil ||
		!strings.Contains(err.Error(), "not this node's migration") {
		t.Errorf("another migration's domain: %v", err)
	}
}

func TestSourceRelayThroughTheProxy(t *testing.T) {
	ca := newCA(t)
	addr := target(t, ca)
	local, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = local.Close() }()
	d := dialer(ca, ca.node(t, "node-a"))
	go Relay(context.Background(), local, func(ctx context.Context) (net.Conn, error) {
		return d.Dial(ctx, addr, "node-b", Header{MigrationUID: "m1", Stream: StreamLibvirt})
	})
	c, err := net.Dial("tcp", local.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, c, "libvirt rpc"); got != "LIBVIRT RPC" {
		t.Errorf("relayed answer %q", got)
	}
}

func TestRefusals(t *testing.T) {
	ca := newCA(t)
	addr := target(t, ca)
	other := newCA(t)
	tests := []struct {
		name   string
		d      Dialer
		node   string
		header Header
		want   string
	}{
		{"another node's handler", dialer(ca, ca.node(t, "node-c")), "node-b", Header{MigrationUID: "m1", Stream: StreamMemory},
			"not this node's migration"},
		{"another migration", dialer(ca, ca.node(t, "node-a")), "node-b", Header{MigrationUID: "m2", Stream: StreamDisks},
			"not this node's migration"},
		{"a certificate of another CA", Dialer{Namespace: ns, TLS: &tls.Config{RootCAs: ca.pool,
			Certificates: []tls.Certificate{other.node(t, "node-a")}}}, "node-b", Header{MigrationUID: "m1", Stream: StreamMemory}, ""},
		{"no client certificate", Dialer{Namespace: ns, TLS: &tls.Config{RootCAs: ca.pool}}, "node-b",
			Header{MigrationUID: "m1", Stream: StreamMemory}, ""},
		{"a server that is not the target node's", dialer(ca, ca.node(t, "node-a")), "node-x",
			Header{MigrationUID: "m1", Stream: StreamMemory}, "node-x.virt-handler"},
		{"an unknown stream", dialer(ca, ca.node(t, "node-a")), "node-b", Header{MigrationUID: "m1", Stream: "shell"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.d.Dial(context.Background(), addr, tt.node, tt.header)
			if err == nil {
				_ = c.Close()
				t.Fatal("Dial succeeded")
			}
			if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestSharedPortServesHTTPAndMigrations runs the node API's arrangement: one
// HTTPS server whose TLS also negotiates ALPN and hands those connections on.
func TestSharedPortServesHTTPAndMigrations(t *testing.T) {
	ca := newCA(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	proxy := &Server{Namespace: ns, Authorize: func(_ context.Context, peer string, h Header) (Opener, error) {
		if peer != "node-a" {
			return nil, errors.New("not this node's migration")
		}
		return Bytes([]byte("domain of " + h.MigrationUID)), nil
	}}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "node api") }),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{ca.node(t, "node-b")}, ClientCAs: ca.pool,
			ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13,
			NextProtos: []string{"http/1.1", ALPN}},
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){ALPN: proxy.NextProto(ctx)},
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	defer func() { _ = srv.Close() }()
	addr := ln.Addr().String()

	got, err := dialer(ca, ca.node(t, "node-a")).Fetch(ctx, addr, "node-b", "m7")
	if err != nil || string(got) != "domain of m7" {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	pair := ca.node(t, "node-a")
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: ca.pool, Certificates: []tls.Certificate{pair}, ServerName: nodecert.ServerName("node-b", ns)}}}
	resp, err := hc.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(body) != "node api" {
		t.Errorf("HTTPS answer %q", body)
	}
	// A server that does not speak the protocol is not taken for a proxy
	// (Go's HTTPS server refuses the handshake; one without ALPN at all is
	// refused by the Dialer).
	plain := httptestTLS(t, ca)
	if _, err := dialer(ca, pair).Fetch(ctx, plain, "node-b", "m7"); err == nil ||
		!strings.Contains(err.Error(), "application protocol") {
		t.Errorf("Fetch from a plain HTTPS server: %v", err)
	}
}

// httptestTLS serves HTTPS as node-b without the migration protocol.
func httptestTLS(t *testing.T, ca *testCA) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{ca.node(t, "node-b")}, MinVersion: tls.VersionTLS13}}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}
