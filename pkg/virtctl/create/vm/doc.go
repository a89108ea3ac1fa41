// Package vm is `virtctl create vm`: it renders a VirtualMachine manifest from
// upstream's flags (name, run strategy, instancetype, preference, containerDisk
// volumes, cloud-init data) and refuses the flags whose volumes kvirt cannot
// provide. Rendering is a pure function of the options.
package vm
