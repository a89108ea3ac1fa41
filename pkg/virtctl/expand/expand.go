package expand

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/subresources"
)

// Output formats of --output.
const (
	YAML = "yaml"
	JSON = "json"
)

// Client gives the REST configuration and the namespace to act in.
type Client interface {
	Config() (*rest.Config, string, error)
}

// Expander is the pair of subresource calls expand makes.
type Expander interface {
	ExpandSpec(ctx context.Context, namespace, name string) (*virtv1.VirtualMachine, error)
	ExpandVMSpec(ctx context.Context, namespace string, vm *virtv1.VirtualMachine) (*virtv1.VirtualMachine, error)
}

// Options are the flags of expand.
type Options struct {
	VM     string
	File   string
	Output string
}

// NewCommand returns `expand`.
func NewCommand(c Client) *cobra.Command {
	o := Options{Output: YAML}
	cmd := &cobra.Command{
		Use:   "expand",
		Short: "Return the VirtualMachine object with expanded instancetype and preference.",
		Example: "  virtctl expand --vm myvm\n  virtctl expand --file myvm.yaml\n" +
			"  virtctl expand --file - < myvm.yaml\n  virtctl expand --vm myvm --output json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			cfg, ns, err := c.Config()
			if err != nil {
				return err
			}
			sub, err := subresources.NewForConfig(cfg)
			if err != nil {
				return err
			}
			return o.Run(cmd.Context(), sub, ns, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&o.VM, "vm", "", "Specify VirtualMachine name that should be expanded. Mutually exclusive with \"--file\" flag.")
	cmd.Flags().StringVarP(&o.File, "file", "f", "",
		"If present, the Virtual Machine spec in provided file will be expanded (- reads stdin). Mutually exclusive with \"--vm\" flag.")
	cmd.Flags().StringVarP(&o.Output, "output", "o", YAML, "Specify a format that will be used to display output (yaml or json).")
	cmd.MarkFlagsMutuallyExclusive("file", "vm")
	return cmd
}

// Validate checks the flags as upstream does.
func (o Options) Validate() error {
	if o.File == "" && o.VM == "" {
		return errors.New("error invalid arguments - VirtualMachine name or file must be provided")
	}
	if o.Output != YAML && o.Output != JSON {
		return fmt.Errorf("error not supported output format defined: %s", o.Output)
	}
	return nil
}

// Run expands the named VM or the one read from the file (stdin for "-") and
// prints it.
func (o Options) Run(ctx context.Context, x Expander, ns string, stdin io.Reader, out io.Writer) error {
	var (
		expanded *virtv1.VirtualMachine
		err      error
	)
	if o.VM != "" {
		expanded, err = x.ExpandSpec(ctx, ns, o.VM)
		if err != nil {
			return fmt.Errorf("error expanding VirtualMachine - %s in namespace - %s: %w", o.VM, ns, err)
		}
	} else {
		vm, err := readVM(o.File, stdin)
		if err != nil {
			return err
		}
		expanded, err = x.ExpandVMSpec(ctx, ns, vm)
		if err != nil {
			return fmt.Errorf("error expanding VirtualMachine - %s in namespace - %s: %w", vm.Name, ns, err)
		}
	}
	raw, err := Format(o.Output, expanded)
	if err != nil {
		return err
	}
	_, err = out.Write(raw)
	return err
}

// Format renders vm as YAML or indented JSON, as upstream prints them.
func Format(format string, vm *virtv1.VirtualMachine) ([]byte, error) {
	if format == JSON {
		raw, err := json.MarshalIndent(vm, "", " ")
		if err != nil {
			return nil, fmt.Errorf("encode vm: %w", err)
		}
		return raw, nil
	}
	raw, err := yaml.Marshal(vm)
	if err != nil {
		return nil, fmt.Errorf("encode vm: %w", err)
	}
	return raw, nil
}

func readVM(path string, stdin io.Reader) (*virtv1.VirtualMachine, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("error reading %s: %w", path, err)
	}
	vm := &virtv1.VirtualMachine{}
	if err := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 1024).Decode(vm); err != nil {
		return nil, fmt.Errorf("error decoding VirtualMachine %w", err)
	}
	return vm, nil
}
