// Package release renders kvirt's release manifests: the operator install
// (namespace, KubeVirt CRD, operator RBAC and Deployment) and the KubeVirt resource
// that starts the install. make generate writes them to manifests/release.
package release
