package kwokperf

import (
	"os"
	"testing"

	"kvirt.io/kvirt/tests/framework/controlplane"
)

// cp is the control plane shared by every test of this package.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c }))
}
