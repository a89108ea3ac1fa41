// Package replicaset is the VirtualMachineInstanceReplicaSet controller: it keeps
// spec.replicas VMIs from the template running (replacing finished ones) and
// reports replicas and readyReplicas. Decide is the pure scaling decision. It must
// not import the other controllers.
package replicaset
