package node

import (
	"fmt"
	"os"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/tests/framework/nodeenv"
)

// TestFiguresHandlerWithFiveVMs reports virt-handler's RSS with one and five
// running VMs and the per-VM launcher RSS (libvirt is embedded in it). It boots five TCG guests,
// so it only runs when KVIRT_NODE_FIGURES=1.
func TestFiguresHandlerWithFiveVMs(t *testing.T) {
	if os.Getenv("KVIRT_NODE_FIGURES") != "1" {
		t.Skip("set KVIRT_NODE_FIGURES=1 to measure handler RSS with 5 VMs")
	}
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	var launchers []*nodeenv.Launcher
	for i := range 5 {
		vmi := kernelBootVMI(fmt.Sprintf("figures-%d", i))
		vmi.Spec.Domain.Memory = &virtv1.Memory{Guest: ptr.To(resource.MustParse("96Mi"))}
		vmi = c.createScheduled(t, vmi)
		launchers = append(launchers, c.launcherFor(t, env, vmi, ""))
		c.waitForVMI(t, vmi, 180*time.Second, "Running", phaseIs(virtv1.Running))
		if i == 0 {
			t.Logf("FIGURE virt-handler with 1 VM: RSS %d KiB, PSS %d KiB", nodeenv.RSSKiB(c.handler.Cmd.Process.Pid),
				nodeenv.PSSKiB(c.handler.Cmd.Process.Pid))
		}
	}
	t.Logf("FIGURE virt-handler with 5 VMs: RSS %d KiB, PSS %d KiB", nodeenv.RSSKiB(c.handler.Cmd.Process.Pid),
		nodeenv.PSSKiB(c.handler.Cmd.Process.Pid))
	for i, l := range launchers {
		lp := l.Cmd.Process.Pid
		t.Logf("FIGURE VM %d: virt-launcher with embedded libvirt RSS %d PSS %d KiB (QEMU RSS %d KiB)", i,
			nodeenv.RSSKiB(lp), nodeenv.PSSKiB(lp), nodeenv.RSSKiB(int(l.Domain(t).QemuPid)))
	}
}
