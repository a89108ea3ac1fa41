// Command kvirt-importer fills one PVC with a disk image for a DataVolume (run by
// kvirt's DataVolume controller in an importer pod); see docs/importer.md.
package main

import (
	"kvirt.io/kvirt/pkg/command"
	"kvirt.io/kvirt/pkg/importer"
)

func main() {
	command.Execute(command.New("kvirt-importer", "imports a disk image into a PVC", &importer.Options{}))
}
