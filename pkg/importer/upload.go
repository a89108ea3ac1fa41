package importer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/importer/progress"
	"kvirt.io/kvirt/pkg/importer/source"
)

// The upload paths (CDI's upload server's, v1alpha1 kept for old clients).
const (
	UploadPath      = "/v1beta1/upload"
	UploadPathAlpha = "/v1alpha1/upload"
)

// shutdownGrace is how long the upload server waits for the last response
// to reach its client before the importer exits.
const shutdownGrace = 10 * time.Second

// uploadServer takes one image upload at a time into its target.
type uploadServer struct {
	t    target
	c    *progress.Counter
	mu   sync.Mutex
	once sync.Once
	done chan struct{}
}

// serveUpload serves uploads over TLS until one has filled the target: a
// failed upload is answered with its reason and the next one starts over.
func (o *Options) serveUpload(ctx context.Context, t target, c *progress.Counter) error {
	cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
	if err != nil {
		return &Failure{Reason: reasonUpload, Err: err}
	}
	caPEM, err := os.ReadFile(o.ClientCA)
	if err != nil {
		return &Failure{Reason: reasonUpload, Err: err}
	}
	cfg, err := uploadTLSConfig(cert, caPEM, o.ClientName)
	if err != nil {
		return &Failure{Reason: reasonUpload, Err: err}
	}
	l, err := net.Listen("tcp", o.UploadListen)
	if err != nil {
		return &Failure{Reason: reasonUpload, Err: err}
	}
	return serveUploadOn(ctx, tls.NewListener(l, cfg), t, c)
}

// uploadTLSConfig serves cert and requires a client certificate that chains
// to caPEM and whose subject is clientName (virt-api's upload proxy): the
// upload server takes images from nobody else.
func uploadTLSConfig(cert tls.Certificate, caPEM []byte, clientName string) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("the client CA bundle holds no certificate")
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || cs.PeerCertificates[0].Subject.CommonName != clientName {
				return fmt.Errorf("client certificate is not %q", clientName)
			}
			return nil
		},
	}, nil
}

func serveUploadOn(ctx context.Context, l net.Listener, t target, c *progress.Counter) error {
	u := &uploadServer{t: t, c: c, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+UploadPath, u.upload)
	mux.HandleFunc("POST "+UploadPathAlpha, u.upload)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.Handle("GET /progress", progress.Handler(c))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	klog.FromContext(ctx).Info("waiting for an upload", "address", l.Addr().String())
	select {
	case <-u.done:
	case <-ctx.Done():
	case err := <-errc:
		return &Failure{Reason: reasonUpload, Err: err}
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	_ = srv.Shutdown(sctx)
	select {
	case <-u.done:
		return nil
	default:
		return &Failure{Reason: reasonUpload, Err: ctx.Err()}
	}
}

func (u *uploadServer) upload(w http.ResponseWriter, r *http.Request) {
	if !u.mu.TryLock() {
		http.Error(w, "an upload is already in progress", http.StatusServiceUnavailable)
		return
	}
	defer u.mu.Unlock()
	select {
	case <-u.done:
		http.Error(w, "the image has been uploaded already", http.StatusConflict)
		return
	default:
	}
	err := writeImage(r.Context(), &source.Stream{Body: r.Body, Size: max(r.ContentLength, 0)}, u.t, u.c)
	if err != nil {
		klog.FromContext(r.Context()).Error(err, "upload failed")
		status := http.StatusInternalServerError
		var f *Failure
		if errors.As(err, &f) && (f.Reason == reasonProcess || f.Reason == reasonTooLarge) {
			status = http.StatusBadRequest
		}
		http.Error(w, Message(err), status)
		return
	}
	w.WriteHeader(http.StatusOK)
	u.once.Do(func() { close(u.done) })
}
