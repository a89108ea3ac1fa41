// Command container-disk copies files out of its container's image into a shared
// directory and exits: the launcher pod's init containers run it (statically linked,
// copied out of the launcher image first) inside containerDisk and kernelBoot images.
//
//	container-disk --target DIR PATH...   copies each PATH to DIR/PATH
package main

import (
	"flag"
	"fmt"
	"os"

	"kvirt.io/kvirt/pkg/containerdisk"
)

func main() {
	target := flag.String("target", "", "directory the paths are copied into (required)")
	flag.Parse()
	if *target == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: container-disk --target DIR PATH...")
		os.Exit(2)
	}
	if err := containerdisk.CopyInto(*target, flag.Args()...); err != nil {
		fmt.Fprintln(os.Stderr, "container-disk:", err)
		os.Exit(1)
	}
}
