// Command virt-api: the kvirt API server: admission webhooks and subresources.
package main

import (
	"kvirt.io/kvirt/pkg/command"
	virtapi "kvirt.io/kvirt/pkg/virt-api"
)

func main() {
	command.Execute(command.New("virt-api", "the kvirt API server: admission webhooks and subresources", &virtapi.Options{}))
}
