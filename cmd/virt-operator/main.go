// Command virt-operator: installs and manages kvirt.
package main

import (
	"kvirt.io/kvirt/pkg/command"
	virtoperator "kvirt.io/kvirt/pkg/virt-operator"
)

func main() {
	command.Execute(command.New("virt-operator", "installs and manages kvirt", &virtoperator.Options{}))
}
