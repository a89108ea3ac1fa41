// Package rbac lists every RBAC object of a kvirt install as pure functions:
// the components' ServiceAccounts with exactly the permissions their code
// uses, the aggregated user roles kubevirt.io:admin, :edit and :view, and the
// operator's own account, which holds every permission it grants. It builds
// typed objects only; it applies nothing and imports no client.
package rbac
