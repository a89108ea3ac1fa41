package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-logr/zapr"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"k8s.io/klog/v2"

	"kvirt.io/kvirt/pkg/logverbosity"
	"kvirt.io/kvirt/pkg/version"
)

// Options is what a component contributes to its command: its flags, their
// validation, and the function that runs it until the context ends.
type Options interface {
	AddFlags(fs *pflag.FlagSet)
	Validate() error
	Run(ctx context.Context) error
}

type logOptions struct {
	verbosity int
	json      bool
}

// New returns the root command of a daemon called name.
func New(name, short string, opts Options) *cobra.Command {
	logs := &logOptions{}
	cmd := &cobra.Command{
		Use:           name,
		Short:         short,
		Version:       version.Get().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Validate(); err != nil {
				return fmt.Errorf("invalid flags: %w", err)
			}
			logger, level, err := newLogger(logs)
			if err != nil {
				return err
			}
			defer func() { _ = logger.Sync() }()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := zapr.NewLogger(logger).WithName(name)
			klog.SetLogger(log)
			ctx = klog.NewContext(ctx, log)
			ctx = logverbosity.NewContext(ctx, level)
			log.Info("starting", "version", version.Get().GitVersion)
			return opts.Run(ctx)
		},
	}
	cmd.SetVersionTemplate(name + " {{.Version}}\n")
	fs := cmd.Flags()
	fs.IntVarP(&logs.verbosity, "v", "v", 0, "log verbosity: 0 is info, higher numbers add debug detail")
	fs.BoolVar(&logs.json, "log-json", true, "log as JSON lines (false: human-readable console format)")
	opts.AddFlags(fs)
	return cmd
}

// Execute runs cmd and exits non-zero with the error on failure. For main only.
func Execute(cmd *cobra.Command) {
	if err := cmd.Execute(); err != nil {
		var exit *ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.Code)
		}
		fmt.Fprintf(os.Stderr, "%s: %v\n", cmd.Name(), err)
		os.Exit(1)
	}
}

func newLogger(o *logOptions) (*zap.Logger, zap.AtomicLevel, error) {
	cfg := zap.NewProductionConfig()
	if !o.json {
		cfg = zap.NewDevelopmentConfig()
	}
	cfg.Level = zap.NewAtomicLevelAt(zapcore.Level(-o.verbosity))
	cfg.Sampling = nil
	logger, err := cfg.Build()
	if err != nil {
		return nil, cfg.Level, fmt.Errorf("build logger: %w", err)
	}
	return logger, cfg.Level, nil
}

// ExitError ends Execute with Code and prints nothing: the command has said
// what there was to say (virtctl ssh exits with the remote command's status).
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }
