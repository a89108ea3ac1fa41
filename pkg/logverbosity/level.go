package logverbosity

import (
	"context"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	virtv1 "kvirt.io/api/core/v1"
)

// Components whose level logVerbosity sets, by the names virtctl and the
// daemons use.
const (
	VirtAPI        = "virt-api"
	VirtController = "virt-controller"
	VirtHandler    = "virt-handler"
	VirtLauncher   = "virt-launcher"
	VirtOperator   = "virt-operator"
)

// Components lists every component in the order virtctl prints them.
var Components = []string{VirtAPI, VirtController, VirtHandler, VirtLauncher, VirtOperator}

// MaxLevel is the highest level accepted (as upstream: 0..9).
const MaxLevel = 9

// Field returns the level logVerbosity sets for component, if any.
func Field(lv *virtv1.LogVerbosity, component string) *int32 {
	if lv == nil {
		return nil
	}
	switch component {
	case VirtAPI:
		return lv.VirtAPI
	case VirtController:
		return lv.VirtController
	case VirtHandler:
		return lv.VirtHandler
	case VirtLauncher:
		return lv.VirtLauncher
	case VirtOperator:
		return lv.VirtOperator
	}
	return nil
}

// Level is the level component should log at: nodeVerbosity[node] for
// virt-handler and virt-launcher when node is set and listed there, the
// component's own field otherwise, def when neither is set.
func Level(lv *virtv1.LogVerbosity, component, node string, def int) int {
	if lv == nil {
		return def
	}
	if node != "" && (component == VirtHandler || component == VirtLauncher) {
		if v, ok := lv.NodeVerbosity[node]; ok {
			return int(v)
		}
	}
	if v := Field(lv, component); v != nil {
		return int(*v)
	}
	return def
}

// FromKubeVirt is logVerbosity of kv, nil when unset.
func FromKubeVirt(kv *virtv1.KubeVirt) *virtv1.LogVerbosity {
	if kv == nil || kv.Spec.Configuration.DeveloperConfiguration == nil {
		return nil
	}
	return kv.Spec.Configuration.DeveloperConfiguration.LogVerbosity
}

type levelKey struct{}

// NewContext returns ctx carrying the logger's atomic level, which Watch changes.
func NewContext(ctx context.Context, level zap.AtomicLevel) context.Context {
	return context.WithValue(ctx, levelKey{}, level)
}

// setLevel sets the level carried by ctx (a no-op without one); verbosity v
// is zap level -v, as the daemons' --v flag maps it.
func setLevel(ctx context.Context, v int) bool {
	level, ok := ctx.Value(levelKey{}).(zap.AtomicLevel)
	if !ok {
		return false
	}
	want := zapcore.Level(-v)
	if level.Level() == want {
		return false
	}
	level.SetLevel(want)
	return true
}

func initialLevel(ctx context.Context) int {
	if level, ok := ctx.Value(levelKey{}).(zap.AtomicLevel); ok {
		return -int(level.Level())
	}
	return 0
}
