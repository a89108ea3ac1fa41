// Package instancetype expands VirtualMachine(Cluster)Instancetypes and
// VirtualMachine(Cluster)Preferences into a VMI spec (Apply, a pure function) and
// pins the specs a VM uses in ControllerRevisions (Resolver), so later edits to an
// instancetype do not change what an existing VM gets. It is shared by virt-api
// and virt-controller and must not import either.
package instancetype
