// Package componentrbac runs kvirt's components in the test tiers as they run on
// a cluster: each under its own ServiceAccount, holding exactly the RBAC that
// virt-operator installs (pkg/virt-operator/rbac). A call a component makes that
// its role does not grant then fails the test that exercises it, instead of
// passing under the admin's credentials.
//
// It imports the RBAC renderer and client-go only; it must not import the
// components themselves.
package componentrbac
