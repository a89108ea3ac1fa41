// Package node is the node-failure controller. virt-handler stamps its Node with
// the kubevirt.io/heartbeat annotation every interval; when that stamp is older
// than the heartbeat timeout the handler is taken for gone: the node is labelled
// kubevirt.io/schedulable=false (no new VMI goes there) and, once the kubelet
// also stopped reporting (Ready not True), every Scheduled or Running VMI on it
// is failed with reason NodeUnresponsive, so its VirtualMachine's runStrategy can
// start it elsewhere. Decisions are the pure function Decide of (node, its VMIs,
// now, timeout); the controller only fetches, decides and applies. It must not
// import the other controllers.
package node
