// Command container-disk copies files out of its container's image into a shared
// directory and exits: the launcher pod's init containers run it (statically linked,
// copied out of the launcher image first) inside containerDisk and kernelBoot images.
// With --follow it is the guest-console-log container instead: it prints the
// guest's serial console log file as the launcher writes it, until SIGTERM.
//
//	container-disk --target DIR PATH...   copies each PATH to DIR/PATH
//	container-disk --follow FILE          prints FILE and what is appended to it
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"kvirt.io/kvirt/pkg/consolelog"
	"kvirt.io/kvirt/pkg/containerdisk"
)

func main() {
	target := flag.String("target", "", "directory the paths are copied into")
	follow := flag.String("follow", "", "serial console log file to print as it grows (instead of copying)")
	flag.Parse()
	if *follow != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := consolelog.Follow(ctx, *follow, os.Stdout, consolelog.DefaultPoll); err != nil {
			fmt.Fprintln(os.Stderr, "container-disk:", err)
			os.Exit(1)
		}
		return
	}
	if *target == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: container-disk --target DIR PATH... | --follow FILE")
		os.Exit(2)
	}
	if err := containerdisk.CopyInto(*target, flag.Args()...); err != nil {
		fmt.Fprintln(os.Stderr, "container-disk:", err)
		os.Exit(1)
	}
}
