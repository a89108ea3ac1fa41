// Command kvirt-control-plane starts (up), inspects (status) and stops (down) a
// detached etcd + kube-apiserver for development; hack/control-plane.sh drives it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"kvirt.io/kvirt/tests/framework/controlplane/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code, err := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kvirt-control-plane: %v\n", err)
	}
	os.Exit(code)
}
