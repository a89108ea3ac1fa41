// Command virt-launcher: runs one virtual machine.
package main

import (
	"kvirt.io/kvirt/pkg/command"
	virtlauncher "kvirt.io/kvirt/pkg/virt-launcher"
)

func main() {
	command.Execute(command.New("virt-launcher", "runs one virtual machine", &virtlauncher.Options{}))
}
