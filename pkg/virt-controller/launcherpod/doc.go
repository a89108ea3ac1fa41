// Package launcherpod renders the virt-launcher pod of a VMI as a pure function of
// the VMI and the cluster configuration. It talks to no API server and must not
// import the controllers or any client package.
package launcherpod
