// Package virtapi is the integration tier of virt-api: a real kube-apiserver
// calls an in-process virt-api over TLS for admission and proxies the
// aggregated subresources.kubevirt.io API to it.
package virtapi
