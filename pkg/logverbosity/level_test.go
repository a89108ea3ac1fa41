package logverbosity

import (
	"context"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func TestLevel(t *testing.T) {
	lv := &virtv1.LogVerbosity{VirtHandler: ptr.To[int32](4), VirtAPI: ptr.To[int32](2),
		NodeVerbosity: map[string]int32{"node01": 7}}
	cases := []struct {
		name            string
		lv              *virtv1.LogVerbosity
		component, node string
		def, want       int
	}{
		{"unset config keeps the default", nil, VirtAPI, "", 1, 1},
		{"component field", lv, VirtAPI, "", 1, 2},
		{"unset component keeps the default", lv, VirtController, "", 3, 3},
		{"node override for virt-handler", lv, VirtHandler, "node01", 0, 7},
		{"other node uses the component field", lv, VirtHandler, "node02", 0, 4},
		{"node override does not apply to virt-api", lv, VirtAPI, "node01", 0, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Level(tc.lv, tc.component, tc.node, tc.def); got != tc.want {
				t.Errorf("Level = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSetLevel(t *testing.T) {
	level := zap.NewAtomicLevelAt(zapcore.Level(-2))
	ctx := NewContext(context.Background(), level)
	if got := initialLevel(ctx); got != 2 {
		t.Fatalf("initialLevel = %d, want 2", got)
	}
	if !setLevel(ctx, 5) || level.Level() != zapcore.Level(-5) {
		t.Fatalf("level = %v after setLevel(5)", level.Level())
	}
	if setLevel(ctx, 5) {
		t.Error("setting the same level again reported a change")
	}
	if setLevel(context.Background(), 5) {
		t.Error("a context without a level reported a change")
	}
}
