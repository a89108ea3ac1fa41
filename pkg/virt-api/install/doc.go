// Package install builds the objects that register virt-api with the
// kube-apiserver: the validating and mutating webhook configurations and the
// APIService of subresources.kubevirt.io/v1. The operator, the manifests under
// manifests/virt-api and the test harness all use it. It must not import the
// webhook or server code beyond their path constants.
package install
