// Package datavolume tests kvirt's DataVolume controller against a real etcd
// and kube-apiserver with the cdi.kubevirt.io CRDs of manifests/cdi-crds.
// There is no scheduler, kubelet or importer: tests play them, writing claim
// and pod status and serving the importer's progress endpoint.
package datavolume
