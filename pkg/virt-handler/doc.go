// Package virthandler runs virt-handler, the node daemon that drives the
// launchers on its node. It must not import other components' packages.
package virthandler
