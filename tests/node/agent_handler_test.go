package node

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/subresources"
	"kvirt.io/kvirt/tests/framework/nodeenv"
	"kvirt.io/kvirt/tests/framework/vmiconditions"
)

// TestHandlerGuestAgent: with the test guest's real qemu-ga, virt-handler
// reports AgentConnected, guestOSInfo and the guest's interfaces; an exec
// readiness probe run through the agent keeps Ready False until the guest
// makes it pass; guestosinfo and freeze/unfreeze work through virt-api.
func TestHandlerGuestAgent(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	c.startVirtAPI(t)
	vmi := kernelBootVMI("agent")
	vmi.Spec.Volumes[0].CloudInitNoCloud.UserData = userData + "(sleep 20; touch /run/kvirt-ready) &\n"
	vmi.Spec.ReadinessProbe = &virtv1.Probe{PeriodSeconds: 2, FailureThreshold: 1, TimeoutSeconds: 5,
		Exec: &corev1.ExecAction{Command: []string{"/bin/test", "-e", "/run/kvirt-ready"}}}
	vmi = c.createScheduled(t, vmi)
	c.launcherFor(t, env, vmi, "")

	gated := c.waitForVMI(t, vmi, 180*time.Second, "AgentConnected while the readiness probe fails",
		func(v *virtv1.VirtualMachineInstance) bool {
			a := vmiconditions.Get(v, virtv1.VirtualMachineInstanceAgentConnected)
			r := vmiconditions.Get(v, virtv1.VirtualMachineInstanceReady)
			return v.Status.Phase == virtv1.Running && a != nil && a.Status == "True" && r != nil &&
				r.Status == "False" && r.Reason == "ReadinessProbeFailed"
		})
	if gated.Status.GuestOSInfo.Name != "kvirt test guest" || gated.Status.GuestOSInfo.ID != "kvirt-test-guest" {
		t.Errorf("guestOSInfo = %+v", gated.Status.GuestOSInfo)
	}
	if u := vmiconditions.Get(gated, virtv1.VirtualMachineInstanceUnsupportedAgent); u != nil {
		t.Errorf("Debian's qemu-ga reported unsupported: %+v", u)
	}
	c.waitForVMI(t, vmi, 120*time.Second, "Ready once the probe passes, guest interfaces merged",
		func(v *virtv1.VirtualMachineInstance) bool {
			r := vmiconditions.Get(v, virtv1.VirtualMachineInstanceReady)
			return r != nil && r.Status == "True" && len(v.Status.Interfaces) > 0 &&
				v.Status.Interfaces[0].InfoSource == "domain, guest-agent" && v.Status.Interfaces[0].InterfaceName == "eth0"
		})

	sc, err := subresources.NewForConfig(cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	info, err := sc.GuestOSInfo(ctx, vmi.Namespace, vmi.Name)
	if err != nil || info.OS.Name != "kvirt test guest" || info.GuestAgentVersion == "" || len(info.SupportedCommands) == 0 {
		t.Fatalf("guestosinfo = %+v, %v", info, err)
	}
	fs, err := sc.FilesystemList(ctx, vmi.Namespace, vmi.Name)
	if err != nil || !hasMount(fs, "/data") {
		t.Fatalf("filesystemlist = %+v, %v", fs, err)
	}
	if _, err := sc.UserList(ctx, vmi.Namespace, vmi.Name); err != nil {
		t.Fatalf("userlist: %v", err)
	}
	if err := sc.FreezeVMI(ctx, vmi.Namespace, vmi.Name, 5*time.Minute); err != nil {
		t.Fatalf("freeze: %v", err)
	}
	c.waitForVMI(t, vmi, 30*time.Second, "fsFreezeStatus frozen", func(v *virtv1.VirtualMachineInstance) bool {
		return v.Status.FsFreezeStatus == "frozen"
	})
	if err := sc.UnfreezeVMI(ctx, vmi.Namespace, vmi.Name); err != nil {
		t.Fatalf("unfreeze: %v", err)
	}
	c.waitForVMI(t, vmi, 30*time.Second, "fsFreezeStatus cleared once thawed", func(v *virtv1.VirtualMachineInstance) bool {
		return v.Status.FsFreezeStatus == ""
	})
	if err := sc.FreezeVMI(ctx, vmi.Namespace, "no-such-vmi", time.Minute); err == nil ||
		!strings.Contains(err.Error(), "not found") {
		t.Errorf("freeze of a missing VMI: %v", err)
	}
}

func hasMount(fs *virtv1.VirtualMachineInstanceFileSystemList, mount string) bool {
	for _, f := range fs.Items {
		if f.MountPoint == mount {
			return true
		}
	}
	return false
}

// TestHandlerLivenessProbeFails: an exec liveness probe that fails through the
// agent kills the domain and the VMI ends Failed, as upstream. (Before the
// agent connects every run fails too, hence the initial delay.)
func TestHandlerLivenessProbeFails(t *testing.T) {
	env := nodeenv.Get(t)
	c := newCluster(t, env)
	vmi := kernelBootVMI("liveness")
	vmi.Spec.LivenessProbe = &virtv1.Probe{InitialDelaySeconds: 40, PeriodSeconds: 2, FailureThreshold: 2, TimeoutSeconds: 5,
		Exec: &corev1.ExecAction{Command: []string{"/bin/false"}}}
	vmi = c.createScheduled(t, vmi)
	c.launcherFor(t, env, vmi, "")
	c.waitForVMI(t, vmi, 180*time.Second, "AgentConnected", func(v *virtv1.VirtualMachineInstance) bool {
		a := vmiconditions.Get(v, virtv1.VirtualMachineInstanceAgentConnected)
		return a != nil && a.Status == "True"
	})
	c.waitForVMI(t, vmi, 120*time.Second, "Failed after the liveness probe failed", phaseIs(virtv1.Failed))
}
