// Package heartbeat keeps virt-handler's node labels and heartbeat annotation
// current: kubevirt.io/schedulable, the accelerator label and
// kubevirt.io/heartbeat. It patches only those keys of the Node.
package heartbeat
