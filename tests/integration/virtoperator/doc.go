// Package virtoperator tests virt-operator against a real etcd + kube-apiserver:
// install, status, self-healing, configuration changes, certificate rotation and
// uninstall. No kube-controller-manager runs, so the tests play the Deployment and
// DaemonSet controllers by writing their status.
package virtoperator
