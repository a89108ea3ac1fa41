// Command virtctl controls kvirt virtual machines; installed as kubectl-virt it is
// also a kubectl plugin.
package main

import (
	"kvirt.io/kvirt/pkg/command"
	"kvirt.io/kvirt/pkg/virtctl"
)

func main() {
	command.Execute(virtctl.NewCommand())
}
