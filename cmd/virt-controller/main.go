// Command virt-controller: the kvirt cluster controllers.
package main

import (
	"kvirt.io/kvirt/pkg/command"
	virtcontroller "kvirt.io/kvirt/pkg/virt-controller"
)

func main() {
	command.Execute(command.New("virt-controller", "the kvirt cluster controllers", &virtcontroller.Options{}))
}
