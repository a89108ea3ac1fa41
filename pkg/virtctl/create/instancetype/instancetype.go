package instancetype

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// Options are the flags of `create instancetype`.
type Options struct {
	Name            string
	Namespace       string
	Namespaced      bool
	CPU             uint32
	Memory          string
	GPUs            []string
	HostDevices     []string
	IOThreadsPolicy string
}

// Namespacer gives the namespace and whether the user named it.
type Namespacer interface {
	Namespace() (string, bool, error)
}

// NewCommand returns `create instancetype`.
func NewCommand(ns Namespacer) *cobra.Command {
	o := Options{}
	cmd := &cobra.Command{
		Use:     "instancetype",
		Short:   "Create VirtualMachineInstancetype or VirtualMachineClusterInstancetype manifest.",
		Example: "  virtctl create instancetype --cpu 2 --memory 256Mi | kubectl create -f -",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, explicit, err := ns.Namespace()
			if err != nil {
				return err
			}
			if explicit {
				o.Namespace, o.Namespaced = n, true
			}
			obj, err := Render(o, rand.String)
			if err != nil {
				return err
			}
			out, err := yaml.Marshal(obj)
			if err != nil {
				return fmt.Errorf("encode instancetype: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", "", "Specify the name of the Instancetype.")
	f.Uint32Var(&o.CPU, "cpu", 0, "Specify the count of CPUs of the Instancetype.")
	f.StringVar(&o.Memory, "memory", "", "Specify the amount of memory of the Instancetype.")
	f.StringVar(&o.IOThreadsPolicy, "iothreadspolicy", "", "Specify IOThreadsPolicy to be used. Only valid values are \"auto\" and \"shared\".")
	f.BoolVar(&o.Namespaced, "namespaced", false,
		"Specify if VirtualMachineInstancetype should be created. By default VirtualMachineClusterInstancetype is created.")
	f.StringArrayVar(&o.GPUs, "gpu", nil, "Specify the list of vGPUs to passthrough (name:N,devicename:D). Can be provided multiple times.")
	f.StringArrayVar(&o.HostDevices, "hostdevice", nil,
		"Specify list of HostDevices to passthrough (name:N,devicename:D). Can be provided multiple times.")
	_ = cmd.MarkFlagRequired("cpu")
	_ = cmd.MarkFlagRequired("memory")
	return cmd
}

// Render builds the object o describes; random names an unnamed one.
func Render(o Options, random func(int) string) (runtime.Object, error) {
	spec, err := renderSpec(o)
	if err != nil {
		return nil, err
	}
	gv := instancetypev1beta1.SchemeGroupVersion.String()
	if o.Namespaced {
		if o.Name == "" {
			o.Name = "instancetype-" + random(5)
		}
		return &instancetypev1beta1.VirtualMachineInstancetype{
			TypeMeta:   metav1.TypeMeta{APIVersion: gv, Kind: "VirtualMachineInstancetype"},
			ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
			Spec:       spec,
		}, nil
	}
	if o.Name == "" {
		o.Name = "clusterinstancetype-" + random(5)
	}
	return &instancetypev1beta1.VirtualMachineClusterInstancetype{
		TypeMeta:   metav1.TypeMeta{APIVersion: gv, Kind: "VirtualMachineClusterInstancetype"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name},
		Spec:       spec,
	}, nil
}

func renderSpec(o Options) (instancetypev1beta1.VirtualMachineInstancetypeSpec, error) {
	var spec instancetypev1beta1.VirtualMachineInstancetypeSpec
	if o.CPU == 0 {
		return spec, errors.New("cpu value must be greater than zero")
	}
	mem, err := resource.ParseQuantity(o.Memory)
	if err != nil {
		return spec, fmt.Errorf("failed to parse \"--memory\" flag: %w", err)
	}
	spec.CPU.Guest = int64(o.CPU)
	spec.Memory.Guest = &mem
	switch o.IOThreadsPolicy {
	case "":
	case "auto", "shared":
		spec.IOThreadsPolicy = o.IOThreadsPolicy
	default:
		return spec, errors.New("failed to parse \"--iothreadspolicy\" flag: IOThread must be of value auto or shared")
	}
	for _, raw := range o.GPUs {
		name, dev, err := device("gpu", raw)
		if err != nil {
			return spec, err
		}
		spec.GPUs = append(spec.GPUs, virtv1.GPU{Name: name, DeviceName: dev})
	}
	for _, raw := range o.HostDevices {
		name, dev, err := device("hostdevice", raw)
		if err != nil {
			return spec, err
		}
		spec.HostDevices = append(spec.HostDevices, virtv1.HostDevice{Name: name, DeviceName: dev})
	}
	return spec, nil
}

// device parses "name:N,devicename:D".
func device(flag, raw string) (string, string, error) {
	p := map[string]string{}
	for _, part := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(part, ":")
		if !ok || (k != "name" && k != "devicename") {
			return "", "", fmt.Errorf("failed to parse \"--%s\" flag: unknown param(s): %s", flag, part)
		}
		p[k] = v
	}
	switch {
	case p["name"] == "":
		return "", "", fmt.Errorf("failed to parse \"--%s\" flag: name must be specified", flag)
	case p["devicename"] == "":
		return "", "", fmt.Errorf("failed to parse \"--%s\" flag: deviceName must be specified", flag)
	}
	return p["name"], p["devicename"], nil
}
