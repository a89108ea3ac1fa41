// Command kvirt-csi-hostpath: kvirt's node-local CSI driver (hostpath.csi.kvirt.io).
package main

import (
	"kvirt.io/kvirt/pkg/command"
	"kvirt.io/kvirt/pkg/csi/hostpath"
)

func main() {
	command.Execute(command.New("kvirt-csi-hostpath", "node-local CSI driver", &hostpath.Options{}))
}
