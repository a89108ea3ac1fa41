package migration

import (
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	virtv1 "kvirt.io/api/core/v1"
	virtlisters "kvirt.io/client-go/generated/listers/core/v1"
	migrationslisters "kvirt.io/client-go/generated/listers/migrations/v1alpha1"
	"kvirt.io/kvirt/pkg/migrationpolicy"
)

// Policies finds the MigrationPolicy of a VMI and the configuration its
// migration runs with, from informer caches. The zero value finds no policy and
// upstream's defaults.
type Policies struct {
	Policies   migrationslisters.MigrationPolicyLister
	Namespaces corelisters.NamespaceLister
	KubeVirts  virtlisters.KubeVirtLister
	// Synced are the informers behind the listers; the controller waits for them.
	Synced []cache.InformerSynced
}

// For is the name of the policy that applies to vmi ("" for none) and the
// effective configuration.
func (p Policies) For(vmi *virtv1.VirtualMachineInstance) (string, *virtv1.VMIMConfigurationOptions) {
	var cluster *virtv1.MigrationConfiguration
	if p.KubeVirts != nil {
		if kvs, err := p.KubeVirts.List(labels.Everything()); err == nil && len(kvs) > 0 {
			cluster = kvs[0].Spec.Configuration.Migrations
		}
	}
	if p.Policies == nil || p.Namespaces == nil {
		return "", migrationpolicy.Effective(cluster, nil)
	}
	all, err := p.Policies.List(labels.Everything())
	if err != nil || len(all) == 0 {
		return "", migrationpolicy.Effective(cluster, nil)
	}
	var nsLabels map[string]string
	if ns, err := p.Namespaces.Get(vmi.Namespace); err == nil {
		nsLabels = ns.Labels
	}
	match := migrationpolicy.Match(all, vmi.Labels, nsLabels)
	if match == nil {
		return "", migrationpolicy.Effective(cluster, nil)
	}
	return match.Name, migrationpolicy.Effective(cluster, match)
}

// WithPolicy records, on a migration that has just left Pending (its target pod
// about to be created), the policy that applies and the configuration it runs
// with, in the VMI's migration state and its mirror on the migration.
func WithPolicy(d Decision, name string, cfg *virtv1.VMIMConfigurationOptions) Decision {
	if d.Pod != PodCreate || d.VMI == nil || !ownsState(d.VMI, d.Migration) {
		return d
	}
	st := d.VMI.Status.MigrationState
	st.MigrationPolicyName, st.MigrationConfiguration = name, cfg
	mirror(d)
	return d
}
