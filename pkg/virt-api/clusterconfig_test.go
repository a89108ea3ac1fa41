package virtapi

import (
	"testing"

	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

func TestConfigFromKubeVirt(t *testing.T) {
	kv := &virtv1.KubeVirt{}
	kv.Spec.Configuration.MachineType = "pc-q35-rhel9.4.0"
	kv.Spec.Configuration.Network = &virtv1.NetworkConfiguration{DefaultNetworkInterface: "masquerade", PermitBridgeInterfaceOnPodNetwork: ptr.To(false)}
	kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{FeatureGates: []string{"HostDisk"}}
	v, m := configFromKubeVirt(kv)
	if m.MachineType != "pc-q35-rhel9.4.0" || m.DefaultNetworkInterface != "masquerade" {
		t.Errorf("mutating config %+v", m)
	}
	if v.PermitBridgeInterfaceOnPodNetwork || len(v.FeatureGates) != 1 || v.Architecture != "amd64" {
		t.Errorf("validating config %+v", v)
	}
}
