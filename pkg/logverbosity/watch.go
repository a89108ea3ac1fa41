package logverbosity

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"

	"kvirt.io/client-go/generated/clientset/versioned"
)

// Config says whose level Watch keeps and where to read it.
type Config struct {
	// Client lists the KubeVirt CRs (all namespaces; the first one counts).
	Client versioned.Interface
	// Component is one of Components.
	Component string
	// Node is the node name (virt-handler), for nodeVerbosity; empty elsewhere.
	Node string
	// Interval between reads of the CR (30s when zero).
	Interval time.Duration
}

// Watch sets the logger level carried by ctx (see NewContext) from the
// KubeVirt CR until ctx ends, reading it every Interval. A failed read keeps
// the level in effect.
func Watch(ctx context.Context, cfg Config) {
	if cfg.Interval == 0 {
		cfg.Interval = 30 * time.Second
	}
	log := klog.FromContext(ctx)
	def := initialLevel(ctx) // the --v flag: in effect when the CR sets none
	wait.UntilWithContext(ctx, func(ctx context.Context) {
		list, err := cfg.Client.KubevirtV1().KubeVirts(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
		if err != nil {
			log.V(2).Info("log verbosity not read", "err", err.Error())
			return
		}
		v := def
		if len(list.Items) > 0 {
			v = Level(FromKubeVirt(&list.Items[0]), cfg.Component, cfg.Node, def)
		}
		if setLevel(ctx, v) {
			log.Info("log verbosity changed", "component", cfg.Component, "verbosity", v)
		}
	}, cfg.Interval)
}
