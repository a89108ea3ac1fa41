package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"k8s.io/klog/v2"
	"k8s.io/klog/v2/textlogger"

	"kvirt.io/kvirt/tests/perf/kwok/driver"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	var opts options
	fs := flag.NewFlagSet("kwok", flag.ContinueOnError)
	opts.addFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = klog.NewContext(ctx, textlogger.NewLogger(textlogger.NewConfig()))
	cfg, err := opts.config()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kwok: %v\n", err)
		return 2
	}
	rep, runErr := driver.Run(ctx, cfg)
	if rep != nil {
		written, err := rep.Write(opts.out)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kwok: write report: %v\n", err)
			return 1
		}
		fmt.Println(rep.Summary())
		fmt.Printf("report: %s\n", strings.Join(written, " "))
	}
	if runErr != nil {
		fmt.Fprintf(os.Stderr, "kwok: %v\n", runErr)
		if errors.Is(runErr, driver.ErrStuck) {
			return 3
		}
		return 1
	}
	return 0
}
