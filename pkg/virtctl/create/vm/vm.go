package vm

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
)

// Upstream's flag names.
const (
	flagName                 = "name"
	flagRunStrategy          = "run-strategy"
	flagGracePeriod          = "termination-grace-period"
	flagMemory               = "memory"
	flagInstancetype         = "instancetype"
	flagPreference           = "preference"
	flagContainerDisk        = "volume-containerdisk"
	flagCloudInitUserData    = "cloud-init-user-data"
	flagCloudInitNetworkData = "cloud-init-network-data"
	cloudInitDisk            = "cloudinitdisk"
)

// unsupported are upstream flags whose volumes or inference kvirt cannot
// provide today, with the reason the command gives.
var unsupported = map[string]string{
	"volume-datasource": "kvirt has no DataVolume import: a dataVolumeTemplate with a DataSource sourceRef " +
		"would never be populated; use --volume-containerdisk",
	"volume-clone-pvc": "kvirt has no DataVolume import: cloning a PVC through a dataVolumeTemplate is not done; " +
		"use --volume-containerdisk",
	"volume-blank":  "kvirt has no DataVolume import: a blank dataVolumeTemplate would never be provisioned",
	"volume-import": "kvirt has no DataVolume import: a dataVolumeTemplate would never be populated",
	"infer-instancetype": "kvirt does not infer instancetypes from volumes " +
		"(the VM would be refused at admission); name one with --instancetype",
	"infer-preference": "kvirt does not infer preferences from volumes " +
		"(the VM would be refused at admission); name one with --preference",
	"infer-instancetype-from": "kvirt does not infer instancetypes from volumes " +
		"(the VM would be refused at admission); name one with --instancetype",
	"infer-preference-from": "kvirt does not infer preferences from volumes " +
		"(the VM would be refused at admission); name one with --preference",
}

// runStrategies are the values --run-strategy takes, in upstream's order.
var runStrategies = []string{
	string(virtv1.RunStrategyAlways), string(virtv1.RunStrategyManual), string(virtv1.RunStrategyHalted),
	string(virtv1.RunStrategyOnce), string(virtv1.RunStrategyRerunOnFailure),
}

// Options are the flags of `create vm`; the zero value of each unset flag is
// upstream's default (see defaults).
type Options struct {
	Name              string
	Namespace         string
	RunStrategy       string
	GracePeriod       int64
	Memory            string
	MemorySet         bool
	Instancetype      string
	Preference        string
	ContainerDisks    []string
	CloudInitUserData string
	CloudInitNetData  string
}

func defaults() Options {
	return Options{RunStrategy: string(virtv1.RunStrategyAlways), GracePeriod: 180, Memory: "512Mi"}
}

// Namespacer gives the namespace and whether the user named it.
type Namespacer interface {
	Namespace() (string, bool, error)
}

// NewCommand returns `create vm`.
func NewCommand(ns Namespacer) *cobra.Command {
	o := defaults()
	cmd := &cobra.Command{
		Use:   "vm",
		Short: "Create a VirtualMachine manifest.",
		Long: "Create a VirtualMachine manifest.\n\nVolumes boot in the order given unless a bootorder is set;\n" +
			"the manifest is printed to stdout, e.g. for `kubectl create -f -`.",
		Example: "  virtctl create vm --instancetype u1.small --preference alpine \\\n" +
			"    --volume-containerdisk src:quay.io/containerdisks/alpine:latest | kubectl create -f -",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for flag, reason := range unsupported {
				if cmd.Flags().Changed(flag) {
					return fmt.Errorf("--%s is not supported: %s", flag, reason)
				}
			}
			n, explicit, err := ns.Namespace()
			if err != nil {
				return err
			}
			if explicit {
				o.Namespace = n
			}
			o.MemorySet = cmd.Flags().Changed(flagMemory)
			return Print(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Name, flagName, "", "Specify the name of the VM.")
	f.StringVar(&o.RunStrategy, flagRunStrategy, o.RunStrategy, "Specify the RunStrategy of the VM.")
	f.Int64Var(&o.GracePeriod, flagGracePeriod, o.GracePeriod, "Specify the termination grace period of the VM.")
	f.StringVar(&o.Memory, flagMemory, o.Memory, "Specify the memory of the VM (when no instancetype is named).")
	f.StringVar(&o.Instancetype, flagInstancetype, "", "Specify the Instance Type of the VM (KIND/NAME for a namespaced one).")
	f.StringVar(&o.Preference, flagPreference, "", "Specify the Preference of the VM (KIND/NAME for a namespaced one).")
	f.StringArrayVar(&o.ContainerDisks, flagContainerDisk, nil,
		"Specify a containerdisk to be used by the VM. Can be provided multiple times.\nSupported parameters: name:string,src:string,bootorder:uint")
	f.StringVar(&o.CloudInitUserData, flagCloudInitUserData, "", "Specify the base64 encoded cloud-init user data of the VM.")
	f.StringVar(&o.CloudInitNetData, flagCloudInitNetworkData, "", "Specify the base64 encoded cloud-init network data of the VM.")
	for flag, reason := range unsupported {
		if flag == "infer-instancetype" || flag == "infer-preference" {
			f.Bool(flag, false, "Not supported by kvirt: "+reason)
			continue
		}
		f.StringArray(flag, nil, "Not supported by kvirt: "+reason)
	}
	cmd.MarkFlagsMutuallyExclusive(flagMemory, flagInstancetype)
	f.SortFlags = false
	return cmd
}

// Print renders o and writes it as YAML.
func Print(cmd *cobra.Command, o Options) error {
	vm, err := Render(o, rand.String)
	if err != nil {
		return err
	}
	out, err := yaml.Marshal(vm)
	if err != nil {
		return fmt.Errorf("encode vm: %w", err)
	}
	_, err = cmd.OutOrStdout().Write(out)
	return err
}

// Render builds the VirtualMachine o describes; random names an unnamed VM.
func Render(o Options, random func(int) string) (*virtv1.VirtualMachine, error) {
	if !contains(runStrategies, o.RunStrategy) {
		return nil, flagError(flagRunStrategy, "invalid RunStrategy %q, supported values are: %s",
			o.RunStrategy, strings.Join(runStrategies, ", "))
	}
	if o.Name == "" {
		o.Name = "vm-" + random(5)
	}
	rs := virtv1.VirtualMachineRunStrategy(o.RunStrategy)
	grace := o.GracePeriod
	vm := &virtv1.VirtualMachine{
		TypeMeta:   metav1.TypeMeta{APIVersion: virtv1.SchemeGroupVersion.String(), Kind: "VirtualMachine"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: virtv1.VirtualMachineSpec{
			RunStrategy: &rs,
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{
				Spec: virtv1.VirtualMachineInstanceSpec{TerminationGracePeriodSeconds: &grace},
			},
		},
	}
	var errs []error
	errs = append(errs, withMatchers(vm, o))
	if o.Instancetype == "" {
		errs = append(errs, withMemory(vm, o.Memory))
	}
	errs = append(errs, withContainerDisks(vm, o.ContainerDisks))
	errs = append(errs, withCloudInit(vm, o.CloudInitUserData, o.CloudInitNetData))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return vm, nil
}

func withMemory(vm *virtv1.VirtualMachine, memory string) error {
	q, err := resource.ParseQuantity(memory)
	if err != nil {
		return flagError(flagMemory, "%v", err)
	}
	vm.Spec.Template.Spec.Domain.Memory = &virtv1.Memory{Guest: &q}
	return nil
}

// withMatchers sets spec.instancetype and spec.preference from NAME or
// KIND/NAME, where KIND is the singular resource name; without a kind the
// webhook's default (the cluster kind) applies, as upstream leaves it.
func withMatchers(vm *virtv1.VirtualMachine, o Options) error {
	if o.Instancetype != "" {
		kind, name, err := splitKind(flagInstancetype, o.Instancetype,
			"virtualmachineinstancetype", "virtualmachineclusterinstancetype")
		if err != nil {
			return err
		}
		vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: name, Kind: kind}
	}
	if o.Preference != "" {
		kind, name, err := splitKind(flagPreference, o.Preference,
			"virtualmachinepreference", "virtualmachineclusterpreference")
		if err != nil {
			return err
		}
		vm.Spec.Preference = &virtv1.PreferenceMatcher{Name: name, Kind: kind}
	}
	return nil
}

func splitKind(flag, in string, kinds ...string) (string, string, error) {
	kind, name, ok := strings.Cut(in, "/")
	if !ok {
		return "", in, nil
	}
	if name == "" || strings.Contains(name, "/") {
		return "", "", flagError(flag, "invalid value %q: want NAME or KIND/NAME", in)
	}
	if !contains(kinds, kind) {
		return "", "", flagError(flag, "invalid kind %q, supported values are: %s", kind, strings.Join(kinds, ", "))
	}
	return kind, name, nil
}

func withContainerDisks(vm *virtv1.VirtualMachine, disks []string) error {
	spec := &vm.Spec.Template.Spec
	boot := map[int32]string{}
	for i, raw := range disks {
		p, err := parseParams(flagContainerDisk, raw, "name", "src", "bootorder")
		if err != nil {
			return err
		}
		if p["src"] == "" {
			return flagError(flagContainerDisk, "src must be specified")
		}
		name := p["name"]
		if name == "" {
			name = fmt.Sprintf("%s-containerdisk-%d", vm.Name, i)
		}
		if hasVolume(vm, name) {
			return flagError(flagContainerDisk, "there is already a volume with name '%s'", name)
		}
		order, err := bootOrder(flagContainerDisk, p)
		if err != nil {
			return err
		}
		spec.Volumes = append(spec.Volumes, virtv1.Volume{Name: name,
			ContainerDisk: &virtv1.ContainerDiskSource{Image: p["src"]}})
		if order == nil {
			continue
		}
		if prev, dup := boot[*order]; dup {
			return flagError(flagContainerDisk, "bootorder %d was specified multiple times (%s, %s)", *order, prev, name)
		}
		boot[*order] = name
		spec.Domain.Devices.Disks = append(spec.Domain.Devices.Disks, virtv1.Disk{Name: name, BootOrder: order})
	}
	return nil
}

// withCloudInit adds one NoCloud volume carrying the base64 user and network
// data, as upstream does.
func withCloudInit(vm *virtv1.VirtualMachine, userData, networkData string) error {
	if userData == "" && networkData == "" {
		return nil
	}
	for flag, v := range map[string]string{flagCloudInitUserData: userData, flagCloudInitNetworkData: networkData} {
		if _, err := base64.StdEncoding.DecodeString(v); v != "" && err != nil {
			return flagError(flag, "not valid base64: %v", err)
		}
	}
	if hasVolume(vm, cloudInitDisk) {
		return flagError(flagCloudInitUserData, "there is already a volume with name '%s'", cloudInitDisk)
	}
	vm.Spec.Template.Spec.Volumes = append(vm.Spec.Template.Spec.Volumes, virtv1.Volume{Name: cloudInitDisk,
		CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserDataBase64: userData, NetworkDataBase64: networkData}})
	return nil
}

func hasVolume(vm *virtv1.VirtualMachine, name string) bool {
	for _, v := range vm.Spec.Template.Spec.Volumes {
		if v.Name == name {
			return true
		}
	}
	return false
}
