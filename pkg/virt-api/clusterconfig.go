package virtapi

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	virtv1 "kvirt.io/api/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
	"kvirt.io/kvirt/pkg/virt-api/admission/mutating"
	"kvirt.io/kvirt/pkg/virt-api/admission/validating"
)

// kubeVirtConfig derives the admission configuration from the KubeVirt CR seen
// by an informer; with none, upstream's defaults apply.
type kubeVirtConfig struct {
	lister virtlisters.KubeVirtLister
}

func (c kubeVirtConfig) Current() (validating.Config, mutating.Config) {
	kvs, err := c.lister.List(labels.Everything())
	if err != nil || len(kvs) == 0 {
		return validating.DefaultConfig(), mutating.DefaultConfig()
	}
	return configFromKubeVirt(kvs[0])
}

// presetSource lists a namespace's presets from the informer's cache.
type presetSource struct {
	lister virtlisters.VirtualMachineInstancePresetLister
}

func (p presetSource) Presets(namespace string) ([]*virtv1.VirtualMachineInstancePreset, error) {
	presets, err := p.lister.VirtualMachineInstancePresets(namespace).List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("list presets of %s: %w", namespace, err)
	}
	return presets, nil
}

// configFromKubeVirt maps the KubeVirt CR's configuration onto both configs.
func configFromKubeVirt(kv *virtv1.KubeVirt) (validating.Config, mutating.Config) {
	v, m := validating.DefaultConfig(), mutating.DefaultConfig()
	cfg := kv.Spec.Configuration
	if a := kv.Status.DefaultArchitecture; a != "" {
		v.Architecture, m.Architecture = a, a
	}
	m.MachineType, m.CPUModel = cfg.MachineType, cfg.CPUModel
	if len(cfg.EmulatedMachines) > 0 {
		v.EmulatedMachines = cfg.EmulatedMachines
	}
	if cfg.DeveloperConfiguration != nil {
		v.FeatureGates = cfg.DeveloperConfiguration.FeatureGates
	}
	if n := cfg.Network; n != nil {
		if n.DefaultNetworkInterface != "" {
			m.DefaultNetworkInterface = n.DefaultNetworkInterface
		}
		if n.PermitBridgeInterfaceOnPodNetwork != nil {
			v.PermitBridgeInterfaceOnPodNetwork = *n.PermitBridgeInterfaceOnPodNetwork
		}
	}
	if cfg.EvictionStrategy != nil {
		m.EvictionStrategy = string(*cfg.EvictionStrategy)
	}
	return v, m
}

// ResourceVersion is the resourceVersion of the KubeVirt CR in use, or "" with
// none (the group's healthz reports it, as upstream).
func (c kubeVirtConfig) ResourceVersion() string {
	kvs, err := c.lister.List(labels.Everything())
	if err != nil || len(kvs) == 0 {
		return ""
	}
	return kvs[0].ResourceVersion
}
