// Command virt-handler: the kvirt node daemon.
package main

import (
	"kvirt.io/kvirt/pkg/command"
	virthandler "kvirt.io/kvirt/pkg/virt-handler"
)

func main() {
	command.Execute(command.New("virt-handler", "the kvirt node daemon", &virthandler.Options{}))
}
