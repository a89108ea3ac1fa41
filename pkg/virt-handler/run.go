package virthandler

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	"kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/logverbosity"
	"kvirt.io/kvirt/pkg/podsocket"
	"kvirt.io/kvirt/pkg/virt-handler/accelerator"
	"kvirt.io/kvirt/pkg/virt-handler/deviceplugin"
	"kvirt.io/kvirt/pkg/virt-handler/heartbeat"
	"kvirt.io/kvirt/pkg/virt-handler/migrationproxy"
	"kvirt.io/kvirt/pkg/virt-handler/nodeapi"
	"kvirt.io/kvirt/pkg/virt-handler/servingcert"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	"kvirt.io/kvirt/pkg/virt-handler/vmi"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Run chooses the accelerator, then runs the VMI controller (which follows each
// launcher's events on its own socket) and the node heartbeat until ctx ends.
func (o *Options) Run(ctx context.Context) error {
	log := klog.FromContext(ctx)
	restCfg, err := o.Client.RESTConfig()
	if err != nil {
		return err
	}
	kube, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	kv, err := versioned.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("kubevirt client: %w", err)
	}
	acc, accErr := o.chooseAccelerator(ctx, kv)
	log.Info("accelerator chosen", "accelerator", acc, "reason", fmt.Sprint(accErr))
	store, err := statestore.New(filepath.Join(o.StateDir, "vmis"))
	if err != nil {
		return err
	}
	cfg := vmi.Config{Client: kv, Kube: kube, NodeName: o.NodeName, Store: store,
		Dialer:      podsocket.Dialer{PodsDir: o.KubeletPodsDir},
		Accelerator: acc, DefaultGrace: o.DefaultGrace, LauncherWatchdog: o.LauncherWatchdog, Workers: o.Workers,
		Network: vmi.Setup{}}
	if accErr != nil && acc == accelerator.None {
		cfg.AcceleratorError = accErr.Error()
	}
	beat := heartbeat.Config{Client: kube, NodeName: o.NodeName, Accelerator: acc, Interval: o.Heartbeat}
	var nodeCert certGetter
	if o.nodeAPIEnabled() {
		if beat.NodeAPIAddress, err = AdvertisedAddress(o.NodeAPIAdvertise, o.NodeAPI.Listen); err != nil {
			return err
		}
		if err := o.migrationConfig(&cfg, beat.NodeAPIAddress, func() certGetter { return nodeCert }); err != nil {
			return err
		}
	}
	ctrl := vmi.New(cfg)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	ready := closed()
	if o.nodeAPIEnabled() {
		proxy := &migrationproxy.Server{Namespace: o.InstallNamespace, Authorize: ctrl.AuthorizeMigration}
		if ready, nodeCert, err = o.startNodeAPI(ctx, &wg, errs, kube, launcherLookup{ctrl}, proxy); err != nil {
			return err
		}
	}
	if err := o.serveMetrics(ctx, &wg, ctrl, nodeCert); err != nil {
		// Metrics are not worth stopping the node agent for.
		log.Error(err, "metrics not served")
	}
	o.startNodeServices(ctx, &wg, errs, acc, ready)
	wg.Add(1)
	go func() {
		defer wg.Done()
		logverbosity.Watch(ctx, logverbosity.Config{Client: kv, Component: logverbosity.VirtHandler, Node: o.NodeName})
	}()
	wg.Add(2)
	go func() { defer wg.Done(); errs <- ctrl.Run(ctx) }()
	go func() {
		defer wg.Done()
		heartbeat.Run(ctx, beat)
	}()
	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
	}
	cancel()
	wg.Wait()
	return first
}

// chooseAccelerator probes KVM (unless disabled) and consults the KubeVirt CR.
func (o *Options) chooseAccelerator(ctx context.Context, kv versioned.Interface) (string, error) {
	useEmulation := false
	list, err := kv.KubevirtV1().KubeVirts(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, cr := range list.Items {
			dev := cr.Spec.Configuration.DeveloperConfiguration
			if dev != nil && dev.UseEmulation != nil && *dev.UseEmulation {
				useEmulation = true
			}
		}
	} else {
		klog.FromContext(ctx).Error(err, "list KubeVirt CRs; assuming emulation is not allowed")
	}
	kvmErr := errors.New("KVM probe disabled by --accelerator=tcg")
	if o.Accelerator == "auto" {
		kvmErr = accelerator.Probe(ctx, accelerator.ProbeConfig{Timeout: o.KVMProbeTimeout})
	}
	return accelerator.Choose(kvmErr, useEmulation)
}

// launcherLookup adapts the VMI controller to the node API.
type launcherLookup struct{ ctrl *vmi.Controller }

func (l launcherLookup) LauncherFor(ctx context.Context, namespace, name string) (launcherv1.LauncherClient, error) {
	cl, found, err := l.ctrl.Launcher(ctx, namespace, name)
	if !found {
		return nil, nodeapi.ErrNotHere
	}
	if err != nil {
		return nil, err
	}
	return cl, nil
}

// GuestEndpoint serves the node API's port-forward (nodeapi.Guests).
func (l launcherLookup) GuestEndpoint(ctx context.Context, namespace, name string) (nodeapi.GuestEndpoint, error) {
	return l.ctrl.GuestEndpoint(ctx, namespace, name)
}

// certGetter hands out the node's serving certificate for a TLS handshake.
type certGetter = func(*tls.ClientHelloInfo) (*tls.Certificate, error)

// startNodeAPI serves the node API, with a static certificate or, with
// --node-api-csr, once this node's own certificate is issued (the handler
// runs VMIs meanwhile and reports not ready). The returned channel is closed
// when the API can serve; the getter hands out its certificate (metrics use
// it too).
func (o *Options) startNodeAPI(ctx context.Context, wg *sync.WaitGroup, errs chan<- error,
	kube kubernetes.Interface, launchers nodeapi.Launchers, migrations *migrationproxy.Server) (<-chan struct{}, certGetter, error) {
	api := o.NodeAPI
	api.Launchers = launchers
	if !o.NodeAPICSR {
		reloader, err := certs.NewReloader(api.CertFile, api.KeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("node api certificate: %w", err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs <- nodeapi.Serve(ctx, api) }()
		return closed(), reloader.GetCertificate, nil
	}
	bundle, err := certs.NewCAPool(o.NodeAPI.ClientCAFile) // the install's CA bundle, as virt-api's
	if err != nil {
		return nil, nil, fmt.Errorf("node api ca bundle: %w", err)
	}
	mgr, err := servingcert.New(servingcert.Config{Client: kube, NodeName: o.NodeName,
		Namespace: o.InstallNamespace, Dir: filepath.Join(o.StateDir, "node-api"), Roots: bundle.Pool})
	if err != nil {
		return nil, nil, err
	}
	api.Certificate = mgr.GetCertificate
	// Only a node's own certificate names the node another handler checks.
	api.Migrations = migrations
	wg.Add(2)
	go func() { defer wg.Done(); errs <- mgr.Run(ctx) }()
	go func() {
		defer wg.Done()
		select {
		case <-mgr.Ready():
			errs <- nodeapi.Serve(ctx, api)
		case <-ctx.Done():
			errs <- nil
		}
	}()
	return mgr.Ready(), mgr.GetCertificate, nil
}

// migrationConfig lets the VMI controller take part in migrations when this
// handler has its node's own certificate (--node-api-csr): other handlers
// reach its relay at the node API's advertised address, and it presents that
// certificate when it opens a migration's streams to theirs.
func (o *Options) migrationConfig(cfg *vmi.Config, advertised string, cert func() certGetter) error {
	host, port, err := net.SplitHostPort(advertised)
	if err != nil {
		return fmt.Errorf("node api address %q: %w", advertised, err)
	}
	if !o.NodeAPICSR || host == "" {
		return nil // no node certificate, or no address to publish: no migrations
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return fmt.Errorf("node api port %q: %w", port, err)
	}
	bundle, err := certs.NewCAPool(o.NodeAPI.ClientCAFile)
	if err != nil {
		return fmt.Errorf("node api ca bundle: %w", err)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS13,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			get := cert()
			if get == nil {
				return nil, errors.New("this node's certificate is not issued yet")
			}
			return get(&tls.ClientHelloInfo{})
		}}
	cfg.Migrations = &migrationproxy.Dialer{TLS: tlsCfg, Roots: bundle.Pool, Namespace: o.InstallNamespace}
	cfg.MigrationAddress, cfg.MigrationPort = host, int32(p)
	return nil
}

func closed() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// startNodeServices starts the health endpoint and the kubelet device plugins
// when configured; each ends with ctx. /readyz waits for nodeAPIReady.
func (o *Options) startNodeServices(ctx context.Context, wg *sync.WaitGroup, errs chan<- error, acc string,
	nodeAPIReady <-chan struct{}) {
	if o.HealthListen != "" {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- serveHealth(ctx, o.HealthListen, nodeAPIReady) }()
	}
	if o.DevicePluginDir == "" {
		return
	}
	for _, dev := range deviceplugin.NodeDevices(o.DevicePluginDir, acc == accelerator.KVM) {
		wg.Add(1)
		go func() { defer wg.Done(); _ = deviceplugin.Run(ctx, dev) }()
	}
}
