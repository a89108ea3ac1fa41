package subresources

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

const (
	authConfigMapNamespace = "kube-system"
	authConfigMapName      = "extension-apiserver-authentication"
	// requestHeaderResync re-reads the ConfigMap even without a watch event.
	requestHeaderResync = 30 * time.Second
)

// RequestHeaderWatcher keeps the requestheader settings current: the
// kube-apiserver rewrites extension-apiserver-authentication when its
// front-proxy CA or allowed names change, and the watcher's next Current
// returns them, so a rotated front-proxy CA is trusted without restarting
// virt-api. A ConfigMap that no longer parses leaves the last good settings
// in force (logged).
type RequestHeaderWatcher struct {
	current atomic.Pointer[RequestHeaderConfig]
}

// Current returns the latest settings.
func (w *RequestHeaderWatcher) Current() RequestHeaderConfig { return *w.current.Load() }

// WatchRequestHeaderConfig reads the settings once (failing as
// LoadRequestHeaderConfig when they are missing), then follows the ConfigMap
// with an informer until ctx ends.
func WatchRequestHeaderConfig(ctx context.Context, kube kubernetes.Interface) (*RequestHeaderWatcher, error) {
	first, err := LoadRequestHeaderConfig(ctx, kube)
	if err != nil {
		return nil, err
	}
	w := &RequestHeaderWatcher{}
	w.current.Store(&first)
	factory := informers.NewSharedInformerFactoryWithOptions(kube, requestHeaderResync,
		informers.WithNamespace(authConfigMapNamespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", authConfigMapName).String()
		}))
	inf := factory.Core().V1().ConfigMaps().Informer()
	log := klog.FromContext(ctx)
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.observe(log, obj) },
		UpdateFunc: func(_, obj any) { w.observe(log, obj) },
	}); err != nil {
		return nil, fmt.Errorf("watch %s: %w", authConfigMapName, err)
	}
	factory.Start(ctx.Done())
	go func() { <-ctx.Done(); factory.Shutdown() }()
	return w, nil
}

// observe takes the settings from a new version of the ConfigMap.
func (w *RequestHeaderWatcher) observe(log klog.Logger, obj any) {
	cm, ok := obj.(*corev1.ConfigMap)
	if !ok || cm.Name != authConfigMapName {
		return
	}
	cfg, err := parseRequestHeaderConfig(cm)
	if err != nil {
		log.Error(err, "requestheader settings not updated", "configmap", klog.KObj(cm))
		return
	}
	w.current.Store(&cfg)
	log.V(4).Info("requestheader settings read", "resourceVersion", cm.ResourceVersion)
}
