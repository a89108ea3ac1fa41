package heartbeat

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/accelerator"
)

// Config says what to publish and how often.
type Config struct {
	Client      kubernetes.Interface
	NodeName    string
	Accelerator string
	// NodeAPIAddress, when set, is published for virt-api (host:port; an
	// empty host stands for the node's InternalIP).
	NodeAPIAddress string
	Interval       time.Duration
}

// Patch is the merge patch one heartbeat sends: pure, for tests.
func Patch(acc, nodeAPIAddress string, now time.Time) map[string]any {
	annotations := map[string]string{virtv1.VirtHandlerHeartbeat: now.UTC().Format(time.RFC3339)}
	if nodeAPIAddress != "" {
		annotations[virtv1.NodeAPIAddressAnnotation] = nodeAPIAddress
	}
	schedulable := "true"
	if acc == accelerator.None || acc == "" {
		schedulable = "false"
	}
	return map[string]any{"metadata": map[string]any{
		"labels": map[string]string{
			virtv1.NodeSchedulable: schedulable,
			accelerator.LabelKey:   acc,
		},
		"annotations": annotations,
	}}
}

// Run beats until ctx ends; a failed beat is logged and retried next interval.
func Run(ctx context.Context, cfg Config) {
	if cfg.Interval == 0 {
		cfg.Interval = time.Minute
	}
	log := klog.FromContext(ctx)
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	for {
		if err := beat(ctx, cfg); err != nil {
			log.Error(err, "node heartbeat")
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func beat(ctx context.Context, cfg Config) error {
	raw, err := json.Marshal(Patch(cfg.Accelerator, cfg.NodeAPIAddress, time.Now()))
	if err != nil {
		return fmt.Errorf("encode heartbeat: %w", err)
	}
	_, err = cfg.Client.CoreV1().Nodes().Patch(ctx, cfg.NodeName, types.MergePatchType, raw, metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("patch node %s: %w", cfg.NodeName, err)
	}
	return nil
}
