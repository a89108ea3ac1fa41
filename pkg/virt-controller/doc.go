// Package virtcontroller runs virt-controller: the VM, VMI, migration and
// replica-set controllers. It must not import other components' packages.
package virtcontroller
