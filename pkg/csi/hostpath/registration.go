package hostpath

import (
	"context"

	"k8s.io/klog/v2"
	registerapi "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

// registrationServer answers the kubelet's plugin watcher, which finds our
// socket in its plugins_registry directory (the job node-driver-registrar
// does for other drivers).
type registrationServer struct {
	registerapi.UnimplementedRegistrationServer
	// endpoint is the CSI socket's path as the kubelet sees it on the host.
	endpoint string
	log      klog.Logger
}

// supportedCSIVersions are the CSI versions the kubelet may speak to us.
var supportedCSIVersions = []string{"1.0.0"}

func (r *registrationServer) GetInfo(context.Context, *registerapi.InfoRequest) (*registerapi.PluginInfo, error) {
	return &registerapi.PluginInfo{
		Type:              registerapi.CSIPlugin,
		Name:              DriverName,
		Endpoint:          r.endpoint,
		SupportedVersions: supportedCSIVersions,
	}, nil
}

func (r *registrationServer) NotifyRegistrationStatus(_ context.Context, s *registerapi.RegistrationStatus) (
	*registerapi.RegistrationStatusResponse, error) {
	if s.GetPluginRegistered() {
		r.log.Info("registered with the kubelet")
	} else {
		r.log.Error(nil, "kubelet refused registration", "reason", s.GetError())
	}
	return &registerapi.RegistrationStatusResponse{}, nil
}
