package command

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

type fakeOptions struct {
	name      string
	invalid   bool
	ran       bool
	hadLogger bool
}

func (o *fakeOptions) AddFlags(fs *pflag.FlagSet) { fs.StringVar(&o.name, "name", "", "a name") }

func (o *fakeOptions) Validate() error {
	if o.invalid {
		return errors.New("--name is required")
	}
	return nil
}

func (o *fakeOptions) Run(ctx context.Context) error {
	o.ran = true
	o.hadLogger = klog.FromContext(ctx).GetSink() != nil
	return nil
}

func TestCommand(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		invalid bool
		wantRun bool
		wantOut string
		wantErr string
	}{
		{name: "version", args: []string{"--version"}, wantOut: "virt-test v"},
		{name: "runs with its flags", args: []string{"--name=x", "--log-json=false", "-v=2"}, wantRun: true},
		{name: "validation stops it", args: nil, invalid: true, wantErr: "invalid flags: --name is required"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "unknown flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := &fakeOptions{invalid: tc.invalid}
			cmd := New("virt-test", "a test daemon", opts)
			out := &bytes.Buffer{}
			cmd.SetOut(out)
			cmd.SetErr(out)
			cmd.SetArgs(tc.args)
			err := cmd.ExecuteContext(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("execute: %v", err)
			}
			if opts.ran != tc.wantRun || (tc.wantRun && !opts.hadLogger) {
				t.Fatalf("ran=%v (logger %v), want ran=%v", opts.ran, opts.hadLogger, tc.wantRun)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("output %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
}
