package preference

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/yaml"

	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// topologies are the values --cpu-topology takes.
var topologies = []instancetypev1beta1.PreferredCPUTopology{
	instancetypev1beta1.Sockets, instancetypev1beta1.Cores, instancetypev1beta1.Threads,
	instancetypev1beta1.Spread, instancetypev1beta1.Any,
}

// Options are the flags of `create preference`.
type Options struct {
	Name         string
	Namespace    string
	Namespaced   bool
	CPUTopology  string
	MachineType  string
	StorageClass string
}

// Namespacer gives the namespace and whether the user named it.
type Namespacer interface {
	Namespace() (string, bool, error)
}

// NewCommand returns `create preference`.
func NewCommand(ns Namespacer) *cobra.Command {
	o := Options{}
	cmd := &cobra.Command{
		Use:     "preference",
		Short:   "Create a VirtualMachinePreference or VirtualMachineClusterPreference manifest.",
		Example: "  virtctl create preference --cpu-topology sockets | kubectl create -f -",
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
				return fmt.Errorf("encode preference: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Namespaced, "namespaced", false,
		"Specify if VirtualMachinePreference should be created. By default VirtualMachineClusterPreference is created.")
	f.StringVar(&o.Name, "name", "", "Specify the name of the Preference.")
	f.StringVar(&o.StorageClass, "volume-storage-class", "", "Defines the preferred storage class")
	f.StringVar(&o.MachineType, "machine-type", "", "Defines the preferred machine type to use.")
	f.StringVar(&o.CPUTopology, "cpu-topology", "", "Defines the preferred guest visible CPU topology.")
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
			o.Name = "preference-" + random(5)
		}
		return &instancetypev1beta1.VirtualMachinePreference{
			TypeMeta:   metav1.TypeMeta{APIVersion: gv, Kind: "VirtualMachinePreference"},
			ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
			Spec:       spec,
		}, nil
	}
	if o.Name == "" {
		o.Name = "clusterpreference-" + random(5)
	}
	return &instancetypev1beta1.VirtualMachineClusterPreference{
		TypeMeta:   metav1.TypeMeta{APIVersion: gv, Kind: "VirtualMachineClusterPreference"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name},
		Spec:       spec,
	}, nil
}

func renderSpec(o Options) (instancetypev1beta1.VirtualMachinePreferenceSpec, error) {
	var spec instancetypev1beta1.VirtualMachinePreferenceSpec
	if o.StorageClass != "" {
		spec.Volumes = &instancetypev1beta1.VolumePreferences{PreferredStorageClassName: o.StorageClass}
	}
	if o.MachineType != "" {
		spec.Machine = &instancetypev1beta1.MachinePreferences{PreferredMachineType: o.MachineType}
	}
	if o.CPUTopology != "" {
		t := instancetypev1beta1.PreferredCPUTopology(o.CPUTopology)
		known := false
		names := make([]string, 0, len(topologies))
		for _, k := range topologies {
			known = known || k == t
			names = append(names, string(k))
		}
		if !known {
			return spec, fmt.Errorf("failed to parse \"--cpu-topology\" flag: CPU topology must have a value of %s",
				strings.Join(names, ", "))
		}
		spec.CPU = &instancetypev1beta1.CPUPreferences{PreferredCPUTopology: &t}
	}
	return spec, nil
}
