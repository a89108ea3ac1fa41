// Package virtcontroller tests virt-controller against a real etcd and
// kube-apiserver. There is no kubelet or virt-handler: tests play both, marking
// launcher pods running (binding them to a node and writing their status),
// finishing pod deletions, and moving VMIs to Running, Succeeded or Failed.
package virtcontroller
