package driver

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// Kinds of object the driver creates.
const (
	KindVMI            = "vmi"
	KindVM             = "vm"
	KindVMInstancetype = "vm-instancetype"
	KindVMIRS          = "vmirs"
	kwokTaintKey       = "kwok.x-k8s.io/node"
	// InstancetypeName names the instancetype and preference of vm-instancetype.
	InstancetypeName = "kwok-perf"
)

// Kinds lists the valid values of Config.Kind.
var Kinds = []string{KindVMI, KindVM, KindVMInstancetype, KindVMIRS}

// RunLabel marks every object the driver creates (and the VMIs created from its
// templates), so listing, watching and deleting touch nothing else.
const RunLabel = "kvirt.io/kwok-perf"

// vmiSpecYAML is the smallest VMI the test guest runs as: one containerDisk, 64Mi,
// no grace period (KWOK's delete Stage removes the pod at once anyway).
const vmiSpecYAML = `
terminationGracePeriodSeconds: 0
domain:
  resources:
    requests:
      memory: 64Mi
  devices:
    disks:
    - name: containerdisk
      disk:
        bus: virtio
volumes:
- name: containerdisk
  containerDisk:
    image: IMAGE
`

// VMISpec returns the VMI spec every created VMI has: image as its containerDisk,
// scheduled by nodeSelector and tolerating KWOK's fake-node taint. With
// instancetype set it carries no resources (the instancetype supplies them).
func VMISpec(image string, nodeSelector map[string]string, instancetype bool) (virtv1.VirtualMachineInstanceSpec, error) {
	var spec virtv1.VirtualMachineInstanceSpec
	if err := yaml.UnmarshalStrict([]byte(vmiSpecYAML), &spec); err != nil {
		return spec, fmt.Errorf("vmi spec: %w", err)
	}
	spec.Volumes[0].ContainerDisk.Image = image
	spec.NodeSelector = nodeSelector
	spec.Tolerations = []corev1.Toleration{{Key: kwokTaintKey, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
	if instancetype {
		spec.Domain.Resources = virtv1.ResourceRequirements{}
	}
	return spec, nil
}

func objectMeta(ns, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{RunLabel: "true"}}
}

// NewVMI returns VMI name of spec.
func NewVMI(ns, name string, spec virtv1.VirtualMachineInstanceSpec) *virtv1.VirtualMachineInstance {
	return &virtv1.VirtualMachineInstance{ObjectMeta: objectMeta(ns, name), Spec: *spec.DeepCopy()}
}

// NewVM returns VM name with runStrategy Always whose template is spec; a non-empty
// instancetype names the namespaced instancetype and preference it uses.
func NewVM(ns, name string, spec virtv1.VirtualMachineInstanceSpec, instancetype string) *virtv1.VirtualMachine {
	always := virtv1.RunStrategyAlways
	vm := &virtv1.VirtualMachine{
		ObjectMeta: objectMeta(ns, name),
		Spec: virtv1.VirtualMachineSpec{
			RunStrategy: &always,
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{RunLabel: "true"}},
				Spec:       *spec.DeepCopy(),
			},
		},
	}
	if instancetype != "" {
		vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Kind: "VirtualMachineInstancetype", Name: instancetype}
		vm.Spec.Preference = &virtv1.PreferenceMatcher{Kind: "VirtualMachinePreference", Name: instancetype}
	}
	return vm
}

// NewVMIRS returns VMIRS name of replicas copies of spec.
func NewVMIRS(ns, name string, spec virtv1.VirtualMachineInstanceSpec, replicas int32) *virtv1.VirtualMachineInstanceReplicaSet {
	return &virtv1.VirtualMachineInstanceReplicaSet{
		ObjectMeta: objectMeta(ns, name),
		Spec: virtv1.VirtualMachineInstanceReplicaSetSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{RunLabel: "true"}},
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{RunLabel: "true"}},
				Spec:       *spec.DeepCopy(),
			},
		},
	}
}

const instancetypeYAML = `
cpu:
  guest: 1
memory:
  guest: 64Mi
`

const preferenceYAML = `
devices:
  preferredDiskBus: virtio
`

// NewInstancetype returns the namespaced instancetype (1 vCPU, 64Mi) and the
// preference (virtio disks) the vm-instancetype kind refers to, both called name.
func NewInstancetype(ns, name string) (*instancetypev1beta1.VirtualMachineInstancetype, *instancetypev1beta1.VirtualMachinePreference, error) {
	it := &instancetypev1beta1.VirtualMachineInstancetype{ObjectMeta: objectMeta(ns, name)}
	if err := yaml.UnmarshalStrict([]byte(instancetypeYAML), &it.Spec); err != nil {
		return nil, nil, fmt.Errorf("instancetype: %w", err)
	}
	pref := &instancetypev1beta1.VirtualMachinePreference{ObjectMeta: objectMeta(ns, name)}
	if err := yaml.UnmarshalStrict([]byte(preferenceYAML), &pref.Spec); err != nil {
		return nil, nil, fmt.Errorf("preference: %w", err)
	}
	return it, pref, nil
}

// Name is the name of the i-th object (VMI or VM) of a run.
func Name(i int) string { return fmt.Sprintf("kwok-perf-%05d", i) }
