package migrationpolicy

import (
	"k8s.io/apimachinery/pkg/api/resource"

	virtv1 "kvirt.io/api/core/v1"
	migrationsv1alpha1 "kvirt.io/api/migrations/v1alpha1"
)

// Upstream's defaults for the settings a migration reports.
const (
	DefaultCompletionTimeoutPerGiB int64 = 150
	DefaultProgressTimeout         int64 = 150
	DefaultMaxDowntimeMS           int64 = 900
	DefaultParallelPerCluster      int64 = 5
	DefaultParallelOutboundPerNode int64 = 2
)

// Match is the policy for a VMI with vmiLabels in a namespace with nsLabels:
// among the policies whose selectors all hold, the one naming the most labels;
// a tie goes to the name that sorts first. Nil when none matches.
func Match(policies []*migrationsv1alpha1.MigrationPolicy, vmiLabels, nsLabels map[string]string) *migrationsv1alpha1.MigrationPolicy {
	var best *migrationsv1alpha1.MigrationPolicy
	bestScore := -1
	for _, p := range policies {
		score, ok := matches(p.Spec.Selectors, vmiLabels, nsLabels)
		if !ok {
			continue
		}
		if score > bestScore || score == bestScore && p.Name < best.Name {
			best, bestScore = p, score
		}
	}
	return best
}

// matches says whether every label the selectors name is present with its
// value, and how many labels they name.
func matches(s *migrationsv1alpha1.Selectors, vmiLabels, nsLabels map[string]string) (int, bool) {
	if s == nil {
		return 0, true
	}
	for k, v := range s.VirtualMachineInstanceSelector {
		if got, ok := vmiLabels[k]; !ok || got != v {
			return 0, false
		}
	}
	for k, v := range s.NamespaceSelector {
		if got, ok := nsLabels[k]; !ok || got != v {
			return 0, false
		}
	}
	return len(s.VirtualMachineInstanceSelector) + len(s.NamespaceSelector), true
}

// Effective is the configuration a migration runs with: upstream's defaults,
// then the cluster's settings, then the policy's (p may be nil).
func Effective(cluster *virtv1.MigrationConfiguration, p *migrationsv1alpha1.MigrationPolicy) *virtv1.VMIMConfigurationOptions {
	out := &virtv1.VMIMConfigurationOptions{
		CompletionTimeoutPerGiB: DefaultCompletionTimeoutPerGiB, ProgressTimeout: DefaultProgressTimeout,
		MaxDowntimeMS: DefaultMaxDowntimeMS, ParallelMigrationsPerCluster: DefaultParallelPerCluster,
		ParallelOutboundMigrationsPerNode: DefaultParallelOutboundPerNode,
		BandwidthPerMigration:             resource.NewQuantity(0, resource.BinarySI),
	}
	if c := cluster; c != nil {
		setBool(&out.AllowAutoConverge, c.AllowAutoConverge)
		setBool(&out.AllowPostCopy, c.AllowPostCopy)
		setBool(&out.AllowWorkloadDisruption, c.AllowWorkloadDisruption)
		setInt(&out.CompletionTimeoutPerGiB, c.CompletionTimeoutPerGiB)
		setInt(&out.ProgressTimeout, c.ProgressTimeout)
		setInt(&out.MaxDowntimeMS, c.MaxDowntimeMS)
		setInt(&out.ParallelMigrationsPerCluster, c.ParallelMigrationsPerCluster)
		setInt(&out.ParallelOutboundMigrationsPerNode, c.ParallelOutboundMigrationsPerNode)
		setQuantity(&out.BandwidthPerMigration, c.BandwidthPerMigration)
	}
	if p != nil {
		s := p.Spec
		setBool(&out.AllowAutoConverge, s.AllowAutoConverge)
		setBool(&out.AllowPostCopy, s.AllowPostCopy)
		setBool(&out.AllowWorkloadDisruption, s.AllowWorkloadDisruption)
		setInt(&out.CompletionTimeoutPerGiB, s.CompletionTimeoutPerGiB)
		setInt(&out.MaxDowntimeMS, s.MaxDowntimeMS)
		setQuantity(&out.BandwidthPerMigration, s.BandwidthPerMigration)
	}
	return out
}

func setQuantity(dst **resource.Quantity, src *resource.Quantity) {
	if src != nil {
		q := src.DeepCopy()
		*dst = &q
	}
}

func setBool(dst *bool, src *bool) {
	if src != nil {
		*dst = *src
	}
}

func setInt(dst *int64, src *int64) {
	if src != nil {
		*dst = *src
	}
}
