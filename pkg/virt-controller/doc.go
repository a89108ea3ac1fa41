// Package virtcontroller runs virt-controller: the VM, VMI, migration and
// replica-set controllers, and the DataVolume controller when enabled. It must
// not import other components' packages.
package virtcontroller
