package migrationpolicy

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	migrationsv1alpha1 "kvirt.io/api/migrations/v1alpha1"
)

func policy(name string, vmi, ns map[string]string) *migrationsv1alpha1.MigrationPolicy {
	return &migrationsv1alpha1.MigrationPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: migrationsv1alpha1.MigrationPolicySpec{Selectors: &migrationsv1alpha1.Selectors{
			VirtualMachineInstanceSelector: vmi, NamespaceSelector: ns}}}
}

func TestMatch(t *testing.T) {
	vmiLabels := map[string]string{"app": "db", "tier": "gold"}
	nsLabels := map[string]string{"team": "a"}
	all := policy("all", nil, nil)
	app := policy("app", map[string]string{"app": "db"}, nil)
	appTeam := policy("app-team", map[string]string{"app": "db"}, map[string]string{"team": "a"})
	tier := policy("tier", map[string]string{"tier": "gold"}, nil)
	otherTeam := policy("other-team", map[string]string{"app": "db", "tier": "gold"}, map[string]string{"team": "b"})
	for _, tc := range []struct {
		name     string
		policies []*migrationsv1alpha1.MigrationPolicy
		want     string
	}{
		{"none", nil, ""},
		{"empty selectors match everything", []*migrationsv1alpha1.MigrationPolicy{all}, "all"},
		{"more labels win", []*migrationsv1alpha1.MigrationPolicy{all, app, appTeam}, "app-team"},
		{"a label that differs excludes", []*migrationsv1alpha1.MigrationPolicy{otherTeam, app}, "app"},
		{"a tie goes to the first name", []*migrationsv1alpha1.MigrationPolicy{tier, app}, "app"},
		{"only non-matching", []*migrationsv1alpha1.MigrationPolicy{otherTeam}, ""},
	} {
		got := ""
		if p := Match(tc.policies, vmiLabels, nsLabels); p != nil {
			got = p.Name
		}
		if got != tc.want {
			t.Errorf("%s: Match = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEffective(t *testing.T) {
	def := Effective(nil, nil)
	if def.CompletionTimeoutPerGiB != 150 || def.ProgressTimeout != 150 || def.MaxDowntimeMS != 900 ||
		def.ParallelMigrationsPerCluster != 5 || def.ParallelOutboundMigrationsPerNode != 2 ||
		def.AllowAutoConverge || !def.BandwidthPerMigration.IsZero() {
		t.Errorf("defaults = %+v", def)
	}
	cluster := &virtv1.MigrationConfiguration{AllowAutoConverge: ptr.To(true), ProgressTimeout: ptr.To[int64](60),
		BandwidthPerMigration: ptr.To(resource.MustParse("64Mi")), CompletionTimeoutPerGiB: ptr.To[int64](100)}
	got := Effective(cluster, nil)
	if !got.AllowAutoConverge || got.ProgressTimeout != 60 || got.CompletionTimeoutPerGiB != 100 ||
		got.BandwidthPerMigration.String() != "64Mi" {
		t.Errorf("cluster = %+v", got)
	}
	p := policy("p", nil, nil)
	p.Spec.AllowAutoConverge = ptr.To(false)
	p.Spec.BandwidthPerMigration = ptr.To(resource.MustParse("1Mi"))
	got = Effective(cluster, p)
	if got.AllowAutoConverge || got.BandwidthPerMigration.String() != "1Mi" || got.ProgressTimeout != 60 ||
		got.CompletionTimeoutPerGiB != 100 {
		t.Errorf("policy over cluster = %+v", got)
	}
}
