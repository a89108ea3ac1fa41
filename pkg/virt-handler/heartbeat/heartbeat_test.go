package heartbeat

import (
	"testing"
	"time"
)

func TestPatch(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct{ acc, schedulable string }{{"kvm", "true"}, {"tcg", "true"}, {"none", "false"}}
	for _, tc := range tests {
		meta := Patch(tc.acc, "", now)["metadata"].(map[string]any)
		labels := meta["labels"].(map[string]string)
		if labels["kubevirt.io/schedulable"] != tc.schedulable || labels["node.kvirt.io/accelerator"] != tc.acc {
			t.Errorf("%s: labels = %v", tc.acc, labels)
		}
		if meta["annotations"].(map[string]string)["kubevirt.io/heartbeat"] != "2026-01-02T03:04:05Z" {
			t.Errorf("%s: annotations = %v", tc.acc, meta["annotations"])
		}
	}
}

func TestPatchPublishesNodeAPIAddress(t *testing.T) {
	meta := Patch("tcg", ":8186", time.Now())["metadata"].(map[string]any)
	if got := meta["annotations"].(map[string]string)["node.kvirt.io/node-api-address"]; got != ":8186" {
		t.Errorf("node api address annotation = %q", got)
	}
	meta = Patch("tcg", "", time.Now())["metadata"].(map[string]any)
	if _, ok := meta["annotations"].(map[string]string)["node.kvirt.io/node-api-address"]; ok {
		t.Errorf("annotation published without a node api")
	}
}
