// Package v1alpha1 holds the Go types of migrations.kubevirt.io/v1alpha1:
// MigrationPolicy, cluster-scoped tuning of live migrations for the VMIs its
// selectors match. Plain types and generated deep copies only; matching a VMI
// to a policy lives in kvirt.io/kvirt/pkg/migrationpolicy.
//
// +k8s:deepcopy-gen=package
// +groupName=migrations.kubevirt.io
package v1alpha1
