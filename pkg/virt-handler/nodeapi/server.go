package nodeapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/serverlimits"
	"kvirt.io/kvirt/pkg/virt-handler/migrationproxy"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Launchers finds the launcher of a VMI on this node.
type Launchers interface {
	LauncherFor(ctx context.Context, namespace, name string) (launcherv1.LauncherClient, error)
}

// ErrNotHere is returned by Launchers when the VMI is not running on this node.
var ErrNotHere = errors.New("vmi is not running on this node")

// Config says where and how to serve.
type Config struct {
	Listen string
	// CertFile, KeyFile are the server's certificate; ClientCAFile verifies
	// virt-api's client certificate.
	CertFile, KeyFile, ClientCAFile string
	// Certificate, when set, hands out the serving pair instead of CertFile
	// and KeyFile (the node's own certificate, see servingcert).
	Certificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// AllowedClientNames are the client certificate CommonNames served; any
	// other certificate of the CA gets 403. Empty means virt-api's,
	// certs.NodeAPIClientCommonName.
	AllowedClientNames []string
	Launchers          Launchers
	// Migrations, when set, relays live migrations on the same port: TLS
	// connections that negotiate migrationproxy.ALPN go to it, with the
	// same client-certificate requirement (another node's handler).
	Migrations *migrationproxy.Server
}

// Handler returns the API's routes (without TLS), for tests and Serve.
// Port-forward is served when l implements Guests.
func Handler(l Launchers) http.Handler { return handler(l, DialInPod) }

func handler(l Launchers, dial GuestDialer) http.Handler {
	mux := http.NewServeMux()
	const base = "/v1/namespaces/{namespace}/virtualmachineinstances/{name}/"
	command := func(call func(context.Context, launcherv1.LauncherClient) (*launcherv1.Result, error)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			cl, ok := launcherFor(w, r, l)
			if !ok {
				return
			}
			res, err := call(r.Context(), cl)
			switch {
			case err != nil:
				http.Error(w, err.Error(), http.StatusBadGateway)
			case !res.Success:
				http.Error(w, res.Message, http.StatusConflict)
			default:
				w.WriteHeader(http.StatusOK)
			}
		}
	}
	mux.Handle("PUT "+base+"pause", command(func(ctx context.Context, c launcherv1.LauncherClient) (*launcherv1.Result, error) {
		return c.Pause(ctx, &launcherv1.Empty{})
	}))
	mux.Handle("PUT "+base+"unpause", command(func(ctx context.Context, c launcherv1.LauncherClient) (*launcherv1.Result, error) {
		return c.Unpause(ctx, &launcherv1.Empty{})
	}))
	mux.Handle("PUT "+base+"softreboot", command(func(ctx context.Context, c launcherv1.LauncherClient) (*launcherv1.Result, error) {
		return c.SoftReboot(ctx, &launcherv1.Empty{})
	}))
	mux.Handle("PUT "+base+"reset", command(func(ctx context.Context, c launcherv1.LauncherClient) (*launcherv1.Result, error) {
		return c.Reset(ctx, &launcherv1.Empty{})
	}))
	agentRoutes(mux, base, l)
	mux.HandleFunc("GET "+base+"console", func(w http.ResponseWriter, r *http.Request) {
		cl, ok := launcherFor(w, r, l)
		if ok {
			serveConsole(w, r, cl)
		}
	})
	registerVNC(mux, base, l)
	registerPortForward(mux, base, l, dial)
	return mux
}

func launcherFor(w http.ResponseWriter, r *http.Request, l Launchers) (launcherv1.LauncherClient, bool) {
	cl, err := l.LauncherFor(r.Context(), r.PathValue("namespace"), r.PathValue("name"))
	if errors.Is(err, ErrNotHere) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return nil, false
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return nil, false
	}
	return cl, true
}

// serveConsole upgrades the connection to a raw byte stream ("Upgrade:
// kvirt-console") and relays it to the launcher's console stream.
func serveConsole(w http.ResponseWriter, r *http.Request, cl launcherv1.LauncherClient) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "console needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	// After the hijack only this handler watches the connection: the stream
	// ends with the server's context, the viewer or the launcher.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stream, err := cl.Console(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	relay(ctx, cancel, hj, "kvirt-console", 4096,
		func(b []byte) error { return stream.Send(&launcherv1.ConsoleData{Data: b}) },
		func() ([]byte, error) {
			msg, err := stream.Recv()
			if err != nil {
				return nil, err
			}
			return msg.Data, nil
		})
}

// TLSConfig requires and verifies a client certificate signed by a CA in
// clientCAFile. The serving pair and the CA bundle are re-read when their
// files change (Secret and ConfigMap volumes rotate in place), so every new
// handshake uses the current ones.
func TLSConfig(certFile, keyFile, clientCAFile string, nextProtos ...string) (*tls.Config, error) {
	keys, err := certs.NewReloader(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load node api certificate: %w", err)
	}
	return TLSConfigFor(keys.GetCertificate, clientCAFile, nextProtos...)
}

// TLSConfigFor is TLSConfig with the serving pair from getCertificate; the
// handshake offers nextProtos (ALPN) when given.
func TLSConfigFor(getCertificate func(*tls.ClientHelloInfo) (*tls.Certificate, error), clientCAFile string,
	nextProtos ...string) (*tls.Config, error) {
	cas, err := certs.NewCAPool(clientCAFile)
	if err != nil {
		return nil, fmt.Errorf("load node api client ca: %w", err)
	}
	perHandshake := func(*tls.ClientHelloInfo) (*tls.Config, error) {
		return &tls.Config{GetCertificate: getCertificate, ClientCAs: cas.Pool(), NextProtos: nextProtos,
			ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}, nil
	}
	return &tls.Config{GetConfigForClient: perHandshake, MinVersion: tls.VersionTLS13}, nil
}

// Serve runs the API until ctx ends.
func Serve(ctx context.Context, cfg Config) error {
	var protos []string
	if cfg.Migrations != nil {
		protos = []string{"http/1.1", migrationproxy.ALPN}
	}
	var tlsCfg *tls.Config
	var err error
	if cfg.Certificate != nil {
		tlsCfg, err = TLSConfigFor(cfg.Certificate, cfg.ClientCAFile, protos...)
	} else {
		tlsCfg, err = TLSConfig(cfg.CertFile, cfg.KeyFile, cfg.ClientCAFile, protos...)
	}
	if err != nil {
		return err
	}
	// TCP keepalives probe idle connections (an open console carries no
	// frames of its own) and end those whose virt-api went away.
	lc := net.ListenConfig{KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second,
		Interval: 15 * time.Second, Count: 4}}
	ln, err := lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	allowed := cfg.AllowedClientNames
	if len(allowed) == 0 {
		allowed = []string{certs.NodeAPIClientCommonName}
	}
	srv := serverlimits.Bound(&http.Server{Handler: requireClientName(allowed, Handler(cfg.Launchers)), TLSConfig: tlsCfg,
		BaseContext: func(net.Listener) context.Context { return ctx }})
	if cfg.Migrations != nil {
		srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
			migrationproxy.ALPN: cfg.Migrations.NextProto(ctx)}
	}
	stop := context.AfterFunc(ctx, func() { _ = srv.Close() })
	defer stop()
	klog.FromContext(ctx).Info("node api listening", "address", ln.Addr().String())
	if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve node api: %w", err)
	}
	return nil
}
