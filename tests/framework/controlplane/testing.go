package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"
)

// EnvCI makes missing binaries fail tests instead of skipping them.
const EnvCI = "CI"

// StartForTest starts a control plane private to tb and stops it in tb.Cleanup. If
// the binaries are missing it fails tb when $CI is set and skips it otherwise. When
// the test fails, the tail of the apiserver log is logged before cleanup.
func StartForTest(tb testing.TB, cfg Config) *ControlPlane {
	tb.Helper()
	if cfg.Detached {
		tb.Fatal("controlplane.StartForTest: Detached is not allowed for tests")
	}
	// The processes must live until Cleanup, after tb.Context() is already cancelled.
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), ktesting.NewLogger(tb, ktesting.NewConfig())))
	cp, err := Start(ctx, cfg)
	if err != nil {
		cancel()
		if errors.Is(err, ErrMissingBinaries) && os.Getenv(EnvCI) == "" {
			tb.Skip(err)
		}
		tb.Fatalf("start control plane: %v", err)
	}
	tb.Cleanup(func() {
		defer cancel()
		if tb.Failed() {
			tb.Logf("tail of %s:\n%s", cp.layout.logFile(apiserverName),
				logTail(cp.layout.logFile(apiserverName), logTailLines))
		}
		if err := cp.Stop(); err != nil {
			tb.Errorf("stop control plane: %v", err)
		}
	})
	return cp
}

// RunMain starts one control plane shared by all tests of a package, hands it to use
// (typically storing it in a package variable), runs the tests and stops it. Call it
// from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(controlplane.RunMain(m, controlplane.Config{}, func(c *controlplane.ControlPlane) { cp = c })) }
//
// With missing binaries it returns 1 when $CI is set and otherwise prints how to
// build them and returns 0 without running the tests.
func RunMain(m *testing.M, cfg Config, use func(*ControlPlane)) int {
	if cfg.Detached {
		fmt.Fprintln(os.Stderr, "controlplane.RunMain: Detached is not allowed for tests")
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cp, err := Start(ctx, cfg)
	if err != nil {
		if errors.Is(err, ErrMissingBinaries) && os.Getenv(EnvCI) == "" {
			fmt.Fprintf(os.Stderr, "SKIP %s: %v\n", filepath.Base(os.Args[0]), err)
			return 0
		}
		fmt.Fprintf(os.Stderr, "start control plane: %v\n", err)
		return 1
	}
	use(cp)
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "tail of %s:\n%s\n", cp.layout.logFile(apiserverName),
			logTail(cp.layout.logFile(apiserverName), logTailLines))
	}
	if err := cp.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop control plane: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}
