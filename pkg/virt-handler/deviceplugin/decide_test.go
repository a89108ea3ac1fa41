package deviceplugin

import (
	"testing"

	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

func TestNeedsRegister(t *testing.T) {
	up := fileID{exists: true, inode: 7}
	restarted := fileID{exists: true, inode: 8}
	cases := []struct {
		name string
		in   registration
		want bool
	}{
		{"kubelet not there yet", registration{}, false},
		{"first time", registration{kubeletNow: up}, true},
		{"registered, nothing changed", registration{registered: true, kubeletAtRegister: up, kubeletNow: up, ownNow: up}, false},
		{"last attempt failed", registration{registered: true, lastRegistrationFail: true, kubeletAtRegister: up, kubeletNow: up, ownNow: up}, true},
		{"kubelet socket recreated", registration{registered: true, kubeletAtRegister: up, kubeletNow: restarted, ownNow: up}, true},
		{"own socket removed", registration{registered: true, kubeletAtRegister: up, kubeletNow: up}, true},
		{"kubelet gone", registration{registered: true, kubeletAtRegister: up, ownNow: up}, false},
	}
	for _, tc := range cases {
		if got := needsRegister(tc.in); got != tc.want {
			t.Errorf("%s: needsRegister = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAllocation(t *testing.T) {
	req := &pluginapi.AllocateRequest{ContainerRequests: []*pluginapi.ContainerAllocateRequest{
		{DevicesIds: []string{"kvm000"}}, {DevicesIds: []string{"kvm001"}},
	}}
	got := allocation(req, "/dev/kvm", true)
	if len(got.ContainerResponses) != 2 {
		t.Fatalf("got %d container responses, want 2", len(got.ContainerResponses))
	}
	for _, c := range got.ContainerResponses {
		if len(c.Devices) != 1 || c.Devices[0].HostPath != "/dev/kvm" || c.Devices[0].ContainerPath != "/dev/kvm" ||
			c.Devices[0].Permissions != "rw" {
			t.Errorf("device specs %v, want /dev/kvm rw", c.Devices)
		}
	}
	missing := allocation(req, "/dev/vhost-net", false)
	for _, c := range missing.ContainerResponses {
		if len(c.Devices) != 0 {
			t.Errorf("missing device file allocated %v, want nothing", c.Devices)
		}
	}
}

func TestNodeDevices(t *testing.T) {
	names := func(cs []Config) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ResourceName)
		}
		return out
	}
	if got := names(NodeDevices("/p", true)); len(got) != 3 || got[0] != KVMResource {
		t.Errorf("with KVM: %v", got)
	}
	if got := names(NodeDevices("/p", false)); len(got) != 2 || got[0] != TunResource || got[1] != VhostNetResource {
		t.Errorf("without KVM: %v", got)
	}
	if got := (Config{ResourceName: KVMResource, PluginDir: "/p"}).SocketPath(); got != "/p/kvirt-kvm.sock" {
		t.Errorf("socket path %s", got)
	}
	if got := deviceList("tun", 3); len(got) != 3 || got[2].ID != "tun002" || got[0].Health != pluginapi.Healthy {
		t.Errorf("device list %v", got)
	}
}
