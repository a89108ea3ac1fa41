package deviceplugin

import (
	"fmt"

	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

// deviceList is what ListAndWatch advertises: count interchangeable devices, all
// healthy. A device file that is missing on the node is still advertised (see
// allocation), so pods that only might use it can be scheduled.
func deviceList(prefix string, count int) []*pluginapi.Device {
	devs := make([]*pluginapi.Device, 0, count)
	for i := 0; i < count; i++ {
		devs = append(devs, &pluginapi.Device{ID: fmt.Sprintf("%s%03d", prefix, i), Health: pluginapi.Healthy})
	}
	return devs
}

// allocation answers an Allocate request: every container gets the device node
// at the same path, read-write, when it exists on the node, and nothing when it
// does not (the container then runs without it: e.g. QEMU's user-mode network
// needs no vhost-net).
func allocation(req *pluginapi.AllocateRequest, devicePath string, exists bool) *pluginapi.AllocateResponse {
	resp := &pluginapi.AllocateResponse{}
	for range req.GetContainerRequests() {
		c := &pluginapi.ContainerAllocateResponse{}
		if exists {
			c.Devices = []*pluginapi.DeviceSpec{{ContainerPath: devicePath, HostPath: devicePath, Permissions: "rw"}}
		}
		resp.ContainerResponses = append(resp.ContainerResponses, c)
	}
	return resp
}

// fileID identifies a socket file: a recreated file has another inode.
type fileID struct {
	exists bool
	inode  uint64
}

// registration is what the plugin observed when it last registered and now.
type registration struct {
	registered           bool
	kubeletAtRegister    fileID
	kubeletNow, ownNow   fileID
	lastRegistrationFail bool
}

// needsRegister decides whether the plugin must (re)start serving and register:
// never registered, the last attempt failed, the kubelet's socket was recreated
// (a kubelet restart), or the plugin's own socket is gone (the kubelet removes
// plugin sockets when it starts).
func needsRegister(r registration) bool {
	if !r.kubeletNow.exists {
		return false
	}
	switch {
	case !r.registered, r.lastRegistrationFail:
		return true
	case r.kubeletNow != r.kubeletAtRegister:
		return true
	default:
		return !r.ownNow.exists
	}
}
