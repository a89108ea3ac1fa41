package virtapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	kvirtinformers "kvirt.io/client-go/generated/informers/externalversions"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/componentmetrics"
	"kvirt.io/kvirt/pkg/logverbosity"
	"kvirt.io/kvirt/pkg/serverlimits"
	"kvirt.io/kvirt/pkg/virt-api/admission/unsupported"
	"kvirt.io/kvirt/pkg/virt-api/admission/webhook"
	"kvirt.io/kvirt/pkg/virt-api/subresources"
)

const (
	// shutdownTimeout bounds the graceful shutdown of in-flight requests.
	shutdownTimeout = 10 * time.Second
	// cacheSyncTimeout bounds the wait for the KubeVirt CR and preset informers (a missing
	// CRD would otherwise block start-up forever).
	cacheSyncTimeout = time.Minute
)

// ServerConfig is everything Serve needs; tests build it directly.
type ServerConfig struct {
	// REST reaches the kube-apiserver (rate limits already applied).
	REST *rest.Config
	// Listener, when set, is used instead of listening on Address.
	Listener net.Listener
	Address  string
	// CertFile and KeyFile hold the serving pair; they are re-read when replaced.
	CertFile, KeyFile string
	// HandlerClientCert, HandlerClientKey and HandlerCA reach virt-handler's
	// node API over mutual TLS; empty leaves the node-side subresources at 503.
	// All three are re-read when their files change.
	HandlerClientCert, HandlerClientKey, HandlerCA string
	// HandlerNamespace, when set, is virt-handler's install namespace: the
	// handler of each node must present that node's own certificate
	// (<node>.virt-handler.<namespace>.svc).
	HandlerNamespace string
	// HandlerServerName, when set (and HandlerNamespace is not), is the one
	// DNS name every virt-handler's certificate must carry (instead of the
	// dialled node address).
	HandlerServerName string
	// InstallNamespace is kvirt's namespace; only the component ServiceAccounts
	// there are trusted by admission (required).
	InstallNamespace string
	// UploadClientCert and UploadClientKey: the client certificate for
	// DataVolume upload servers; empty leaves datavolumes/upload answering 503.
	UploadClientCert, UploadClientKey string
	// Ready, when set, is closed once the server accepts requests.
	Ready chan<- struct{}
}

// Serve runs virt-api until ctx ends: webhooks, the aggregated API, /healthz,
// /readyz and /metrics on one TLS listener.
func Serve(ctx context.Context, cfg ServerConfig) error {
	log := klog.FromContext(ctx)
	if cfg.InstallNamespace == "" {
		return errors.New("virt-api: no install namespace")
	}
	kube, err := kubernetes.NewForConfig(cfg.REST)
	if err != nil {
		return fmt.Errorf("kube client: %w", err)
	}
	kvirt, err := kvirtclient.NewForConfig(cfg.REST)
	if err != nil {
		return fmt.Errorf("kvirt client: %w", err)
	}
	// The unsupported-field table's paths are resolved once, here, not per review.
	unsupportedFields, err := unsupported.New()
	if err != nil {
		return err
	}
	reloader, err := certs.NewReloader(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return err
	}
	nodeTLS, uploadTLS, err := clientTLS(cfg)
	if err != nil {
		return err
	}
	header, err := subresources.WatchRequestHeaderConfig(ctx, kube)
	if err != nil {
		return err
	}
	factory := kvirtinformers.NewSharedInformerFactory(kvirt, 0)
	kvLister := factory.Kubevirt().V1().KubeVirts().Lister()
	presetLister := factory.Kubevirt().V1().VirtualMachineInstancePresets().Lister()
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	syncCtx, cancelSync := context.WithTimeout(ctx, cacheSyncTimeout)
	defer cancelSync()
	for typ, ok := range factory.WaitForCacheSync(syncCtx.Done()) {
		if !ok {
			return fmt.Errorf("informer for %v did not sync within %s (are kvirt's CRDs installed?)", typ, cacheSyncTimeout)
		}
	}

	defer followVerbosity(ctx, kvirt)()
	reg := prometheus.NewRegistry()
	status, err := componentmetrics.Register(reg, "virt-api", false)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	cluster := kubeVirtConfig{lister: kvLister}
	webhook.New(webhook.Config{Client: kvirt, Kube: kube, Cluster: cluster, Presets: presetSource{lister: presetLister},
		InstallNamespace: cfg.InstallNamespace, Metrics: webhook.NewMetrics(reg), Unsupported: unsupportedFields}).Register(mux)
	subresources.New(subresources.Config{Kube: kube, Kvirt: kvirt, HeaderSource: header, NodeTLS: nodeTLS,
		UploadTLS: uploadTLS, ConfigVersion: cluster.ResourceVersion}).Register(mux)
	var ready atomic.Bool
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return run(ctx, cfg, mux, reloader, func() {
		ready.Store(true)
		status.SetReady(true)
		log.Info("virt-api serving", "address", cfg.Address)
		if cfg.Ready != nil {
			close(cfg.Ready)
		}
	})
}

// run serves mux over TLS until ctx ends, then shuts down gracefully.
func run(ctx context.Context, cfg ServerConfig, mux http.Handler, reloader *certs.Reloader, onReady func()) error {
	ln := cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Address); err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Address, err)
		}
	}
	log := klog.FromContext(ctx)
	srv := serverlimits.Bound(&http.Server{
		Handler:     mux,
		BaseContext: func(net.Listener) context.Context { return ctx },
		TLSConfig: &tls.Config{
			MinVersion:     tls.VersionTLS12,
			GetCertificate: reloader.GetCertificate,
			// The aggregator presents its front-proxy certificate; webhooks
			// callers present none. Subresource handlers verify it themselves.
			ClientAuth: tls.RequestClientCert,
		},
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	onReady()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error(err, "shutdown")
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// followVerbosity keeps virt-api's log level on the KubeVirt CR's
// logVerbosity.virtAPI until the returned stop is called.
func followVerbosity(ctx context.Context, kvirt kvirtclient.Interface) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		logverbosity.Watch(ctx, logverbosity.Config{Client: kvirt, Component: logverbosity.VirtAPI})
	}()
	return func() { cancel(); <-done }
}

// clientTLS loads virt-api's client certificates: for virt-handler's node API
// and for DataVolume upload servers (each nil when not configured).
func clientTLS(cfg ServerConfig) (*subresources.NodeTLS, *subresources.UploadTLS, error) {
	var (
		nodeTLS   *subresources.NodeTLS
		uploadTLS *subresources.UploadTLS
		err       error
	)
	if cfg.HandlerClientCert != "" {
		nodeTLS, err = subresources.NewNodeTLS(subresources.NodeClientConfig{CertFile: cfg.HandlerClientCert,
			KeyFile: cfg.HandlerClientKey, CAFile: cfg.HandlerCA, HandlerNamespace: cfg.HandlerNamespace,
			ServerName: cfg.HandlerServerName})
		if err != nil {
			return nil, nil, err
		}
	}
	if cfg.UploadClientCert != "" {
		uploadTLS, err = subresources.NewUploadTLS(subresources.UploadClientConfig{CertFile: cfg.UploadClientCert,
			KeyFile: cfg.UploadClientKey})
		if err != nil {
			return nil, nil, err
		}
	}
	return nodeTLS, uploadTLS, nil
}
