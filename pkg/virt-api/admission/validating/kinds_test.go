package validating

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
)

// fakeRefs knows one namespaced instancetype "small" (128Mi) and preference "fast".
type fakeRefs struct{}

func (fakeRefs) Instancetype(kind, name string) (*instancetypev1beta1.VirtualMachineInstancetypeSpec, error) {
	if kind == KindInstancetype && name == "small" {
		return &instancetypev1beta1.VirtualMachineInstancetypeSpec{
			CPU: instancetypev1beta1.CPUInstancetype{Guest: 1}, Memory: instancetypev1beta1.MemoryInstancetype{Guest: ptr.To(q("128Mi"))},
		}, nil
	}
	return nil, nil
}

func validVM() *virtv1.VirtualMachine {
	vmi := validVMI()
	return &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns"},
		Spec: virtv1.VirtualMachineSpec{
			RunStrategy: ptr.To(virtv1.RunStrategyHalted),
			Template:    &virtv1.VirtualMachineInstanceTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}}, Spec: vmi.Spec},
		},
	}
}

func TestVMRules(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(vm *virtv1.VirtualMachine)
		path   string
		typ    field.ErrorType
	}{
		{"disk names a missing volume", func(vm *virtv1.VirtualMachine) { vm.Spec.Template.Spec.Domain.Devices.Disks[0].Name = "gone" },
			"spec.template.spec.domain.devices.disks[0].name", field.ErrorTypeNotFound},
		{"running and runStrategy exclusive", func(vm *virtv1.VirtualMachine) { vm.Spec.Running = ptr.To(true) },
			"spec.running", field.ErrorTypeInvalid},
		{"running or runStrategy required", func(vm *virtv1.VirtualMachine) { vm.Spec.RunStrategy = nil },
			"spec.runStrategy", field.ErrorTypeRequired},
		{"runStrategy known", func(vm *virtv1.VirtualMachine) {
			vm.Spec.RunStrategy = ptr.To(virtv1.VirtualMachineRunStrategy("Sometimes"))
		},
			"spec.runStrategy", field.ErrorTypeNotSupported},
		{"template required", func(vm *virtv1.VirtualMachine) { vm.Spec.Template = nil },
			"spec.template", field.ErrorTypeRequired},
		{"template labels legal", func(vm *virtv1.VirtualMachine) { vm.Spec.Template.ObjectMeta.Labels["app"] = "not valid!" },
			"spec.template.metadata.labels", field.ErrorTypeInvalid},
		{"instancetype kind known", func(vm *virtv1.VirtualMachine) {
			vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "small", Kind: "Flavor"}
		}, "spec.instancetype.kind", field.ErrorTypeNotSupported},
		{"instancetype inference refused", func(vm *virtv1.VirtualMachine) {
			vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{InferFromVolume: "rootdisk"}
		}, "spec.instancetype.inferFromVolume", field.ErrorTypeForbidden},
		{"preference inference refused, even with the Ignore policy", func(vm *virtv1.VirtualMachine) {
			vm.Spec.Preference = &virtv1.PreferenceMatcher{InferFromVolume: "rootdisk", InferFromVolumeFailurePolicy: "Ignore"}
		}, "spec.preference.inferFromVolume", field.ErrorTypeForbidden},
		{"instancetype needs a name", func(vm *virtv1.VirtualMachine) { vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{} },
			"spec.instancetype.name", field.ErrorTypeRequired},
		{"instancetype owns cpu topology", func(vm *virtv1.VirtualMachine) {
			vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "small", Kind: "VirtualMachineInstancetype"}
		}, "spec.template.spec.domain.cpu.sockets", field.ErrorTypeInvalid},
		{"instancetype owns resources", func(vm *virtv1.VirtualMachine) {
			vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "small", Kind: "VirtualMachineInstancetype"}
			vm.Spec.Template.Spec.Domain.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: q("1Gi")}
		}, "spec.template.spec.domain.resources.requests.memory", field.ErrorTypeInvalid},
		{"instancetype owns guest memory", func(vm *virtv1.VirtualMachine) {
			vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "small", Kind: "VirtualMachineInstancetype"}
			vm.Spec.Template.Spec.Domain.Memory.Guest = ptr.To(q("1Gi"))
		}, "spec.template.spec.domain.memory.guest", field.ErrorTypeInvalid},
		{"dataVolumeTemplate used", func(vm *virtv1.VirtualMachine) {
			vm.Spec.DataVolumeTemplates = []virtv1.DataVolumeTemplateSpec{{ObjectMeta: metav1.ObjectMeta{Name: "orphan"}}}
		}, "spec.dataVolumeTemplates[0].metadata.name", field.ErrorTypeInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vm := validVM()
			tc.mutate(vm)
			assertCause(t, ValidateVM(vm, DefaultConfig(), fakeRefs{}), tc.path, tc.typ)
		})
	}
}

func TestVMWithInstancetypeAccepted(t *testing.T) {
	vm := validVM()
	vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "small", Kind: "VirtualMachineInstancetype"}
	vm.Spec.Preference = &virtv1.PreferenceMatcher{Name: "fast", Kind: "VirtualMachinePreference"}
	vm.Spec.Template.Spec.Domain.CPU = nil // owned by the instancetype; equal guest memory is fine
	if errs := ValidateVM(vm, DefaultConfig(), fakeRefs{}); len(errs) != 0 {
		t.Fatalf("valid VM refused: %v", errs)
	}
}

// failingRefs answers every lookup with an error (e.g. virt-api lacking RBAC).
type failingRefs struct{}

func (failingRefs) Instancetype(string, string) (*instancetypev1beta1.VirtualMachineInstancetypeSpec, error) {
	return nil, errors.New("forbidden")
}

// As upstream, references that do not resolve (yet) are accepted; the VM
// controller reports them and starts the VM once they exist.
func TestVMWithUnresolvedReferencesAccepted(t *testing.T) {
	for name, refs := range map[string]Resolver{"missing": fakeRefs{}, "lookup fails": failingRefs{}} {
		t.Run(name, func(t *testing.T) {
			vm := validVM()
			vm.Spec.Instancetype = &virtv1.InstancetypeMatcher{Name: "huge", Kind: "VirtualMachineInstancetype"}
			vm.Spec.Preference = &virtv1.PreferenceMatcher{Name: "slow", Kind: "VirtualMachineClusterPreference"}
			vm.Spec.Template.Spec.Domain.CPU = nil
			if errs := ValidateVM(vm, DefaultConfig(), refs); len(errs) != 0 {
				t.Fatalf("VM with unresolved references refused: %v", errs)
			}
		})
	}
}

func TestVMIUpdateRules(t *testing.T) {
	old := validVMI()
	changed := validVMI()
	changed.Spec.Hostname = "other"
	assertCause(t, ValidateVMIUpdate(old, changed, false), "spec", field.ErrorTypeForbidden)
	if errs := ValidateVMIUpdate(old, changed, true); len(errs) != 0 {
		t.Fatalf("kvirt component refused: %v", errs)
	}
	assertCause(t, ValidateReservedLabels(field.NewPath("metadata", "labels"), nil,
		map[string]string{virtv1.NodeNameLabel: "n1"}), "metadata.labels[kubevirt.io/nodeName]", field.ErrorTypeForbidden)
}

func TestMigrationRules(t *testing.T) {
	vmis := map[string]*virtv1.VirtualMachineInstance{
		"vmi": {Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Running, Conditions: []virtv1.VirtualMachineInstanceCondition{
			{Type: virtv1.VirtualMachineInstanceIsMigratable, Status: "True"}}}},
		"done": {Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Succeeded}},
		"rwo": {Status: virtv1.VirtualMachineInstanceStatus{Phase: virtv1.Running, Conditions: []virtv1.VirtualMachineInstanceCondition{
			{Type: virtv1.VirtualMachineInstanceIsMigratable, Status: "False", Reason: "DisksNotLiveMigratable", Message: "PVC d is not shared"}}}},
	}
	find := func(name string) (*virtv1.VirtualMachineInstance, error) { return vmis[name], nil }
	assertCause(t, ValidateMigration(&virtv1.VirtualMachineInstanceMigration{}, find), "spec.vmiName", field.ErrorTypeRequired)
	m := &virtv1.VirtualMachineInstanceMigration{Spec: virtv1.VirtualMachineInstanceMigrationSpec{VMIName: "other"}}
	assertCause(t, ValidateMigration(m, find), "spec.vmiName", field.ErrorTypeNotFound)
	m.Spec.VMIName = "done"
	assertCause(t, ValidateMigration(m, find), "spec.vmiName", field.ErrorTypeForbidden)
	m.Spec.VMIName = "rwo"
	errs := ValidateMigration(m, find)
	assertCause(t, errs, "spec.vmiName", field.ErrorTypeForbidden)
	if !strings.Contains(errs.ToAggregate().Error(), "DisksNotLiveMigratable") {
		t.Errorf("denial does not give the reason: %v", errs)
	}
	m.Spec.VMIName = "vmi"
	if errs := ValidateMigration(m, find); len(errs) != 0 {
		t.Fatalf("valid migration refused: %v", errs)
	}
	changed := m.DeepCopy()
	changed.Spec.VMIName = "other"
	assertCause(t, ValidateMigrationUpdate(m, changed), "spec.vmiName", field.ErrorTypeForbidden)
}

func TestReplicaSetRules(t *testing.T) {
	valid := func() *virtv1.VirtualMachineInstanceReplicaSet {
		vm := validVM()
		return &virtv1.VirtualMachineInstanceReplicaSet{Spec: virtv1.VirtualMachineInstanceReplicaSetSpec{
			Replicas: ptr.To[int32](2), Template: vm.Spec.Template,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
		}}
	}
	if errs := ValidateReplicaSet(valid(), DefaultConfig()); len(errs) != 0 {
		t.Fatalf("valid replica set refused: %v", errs)
	}
	cases := []struct {
		name   string
		mutate func(rs *virtv1.VirtualMachineInstanceReplicaSet)
		path   string
	}{
		{"replicas not negative", func(rs *virtv1.VirtualMachineInstanceReplicaSet) { rs.Spec.Replicas = ptr.To[int32](-1) }, "spec.replicas"},
		{"selector required", func(rs *virtv1.VirtualMachineInstanceReplicaSet) { rs.Spec.Selector = nil }, "spec.selector"},
		{"selector matches template", func(rs *virtv1.VirtualMachineInstanceReplicaSet) { rs.Spec.Selector.MatchLabels["app"] = "y" }, "spec.selector"},
		{"template spec validated", func(rs *virtv1.VirtualMachineInstanceReplicaSet) {
			rs.Spec.Template.Spec.Domain.Devices.Disks[0].Name = "gone"
		}, "spec.template.spec.domain.devices.disks[0].name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs := valid()
			tc.mutate(rs)
			assertCause(t, ValidateReplicaSet(rs, DefaultConfig()), tc.path, "")
		})
	}
}

func TestInstancetypeAndPreferenceRules(t *testing.T) {
	assertCause(t, ValidateInstancetypeSpec(&instancetypev1beta1.VirtualMachineInstancetypeSpec{}), "spec.cpu.guest", field.ErrorTypeInvalid)
	assertCause(t, ValidateInstancetypeSpec(&instancetypev1beta1.VirtualMachineInstancetypeSpec{}), "spec.memory.guest", field.ErrorTypeRequired)
	bad := instancetypev1beta1.PreferredCPUTopology("diagonal")
	assertCause(t, ValidatePreferenceSpec(&instancetypev1beta1.VirtualMachinePreferenceSpec{
		CPU: &instancetypev1beta1.CPUPreferences{PreferredCPUTopology: &bad}}), "spec.cpu.preferredCPUTopology", field.ErrorTypeNotSupported)
	assertCause(t, ValidatePreferenceSpec(&instancetypev1beta1.VirtualMachinePreferenceSpec{
		Devices: &instancetypev1beta1.DevicePreferences{PreferredDiskBus: "ide"}}), "spec.devices.preferredDiskBus", field.ErrorTypeNotSupported)
}

func TestKubeVirtRules(t *testing.T) {
	kv := &virtv1.KubeVirt{}
	kv.Spec.Configuration.Network = &virtv1.NetworkConfiguration{DefaultNetworkInterface: "slirp"}
	assertCause(t, ValidateKubeVirt(kv), "spec.configuration.network.defaultNetworkInterface", field.ErrorTypeNotSupported)
	kv = &virtv1.KubeVirt{}
	kv.Spec.ImagePullPolicy = "Sometimes"
	assertCause(t, ValidateKubeVirt(kv), "spec.imagePullPolicy", field.ErrorTypeNotSupported)
	kv = &virtv1.KubeVirt{}
	kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{
		LogVerbosity: &virtv1.LogVerbosity{VirtSynchronizationController: ptr.To[int32](4)}}
	assertCause(t, ValidateKubeVirt(kv), "spec.configuration.developerConfiguration.logVerbosity.virtSynchronizationController",
		field.ErrorTypeForbidden)
	kv.Spec.Configuration.DeveloperConfiguration.LogVerbosity = &virtv1.LogVerbosity{VirtHandler: ptr.To[int32](4)}
	if errs := ValidateKubeVirt(kv); len(errs) != 0 {
		t.Errorf("logVerbosity.virtHandler refused: %v", errs)
	}
	timeoutPath := "metadata.annotations[kvirt.io/node-heartbeat-timeout]"
	for value, ok := range map[string]bool{"90s": true, "5m": true, "10s": false, "soon": false} {
		kv = &virtv1.KubeVirt{}
		kv.Annotations = map[string]string{virtv1.NodeHeartbeatTimeoutAnnotation: value}
		if ok {
			if errs := ValidateKubeVirt(kv); len(errs) != 0 {
				t.Errorf("heartbeat timeout %q refused: %v", value, errs)
			}
			continue
		}
		assertCause(t, ValidateKubeVirt(kv), timeoutPath, field.ErrorTypeInvalid)
	}
}

// TestMigrationConfigRules: spec.configuration.migrations accepts upstream's
// tuning (limits, bandwidth, timeouts, auto-converge) and refuses, by field
// path, the settings kvirt does not implement and values that make no sense.
func TestMigrationConfigRules(t *testing.T) {
	path := func(f string) string { return "spec.configuration.migrations." + f }
	withMigrations := func(m virtv1.MigrationConfiguration) *virtv1.KubeVirt {
		kv := &virtv1.KubeVirt{}
		kv.Spec.Configuration.Migrations = &m
		return kv
	}
	bw := resource.MustParse("64Mi")
	ok := withMigrations(virtv1.MigrationConfiguration{
		ParallelMigrationsPerCluster: ptr.To[int64](1), ParallelOutboundMigrationsPerNode: ptr.To[int64](1),
		BandwidthPerMigration: &bw, CompletionTimeoutPerGiB: ptr.To[int64](150), ProgressTimeout: ptr.To[int64](150),
		AllowAutoConverge: ptr.To(true), AllowPostCopy: ptr.To(false), DisableTLS: ptr.To(false),
	})
	if errs := ValidateKubeVirt(ok); len(errs) != 0 {
		t.Errorf("upstream's tuning refused: %v", errs)
	}
	neg := resource.MustParse("-1")
	for _, tc := range []struct {
		m     virtv1.MigrationConfiguration
		field string
		typ   field.ErrorType
	}{
		{virtv1.MigrationConfiguration{ParallelMigrationsPerCluster: ptr.To[int64](0)}, "parallelMigrationsPerCluster", field.ErrorTypeInvalid},
		{virtv1.MigrationConfiguration{ParallelOutboundMigrationsPerNode: ptr.To[int64](-2)}, "parallelOutboundMigrationsPerNode", field.ErrorTypeInvalid},
		{virtv1.MigrationConfiguration{ProgressTimeout: ptr.To[int64](-1)}, "progressTimeout", field.ErrorTypeInvalid},
		{virtv1.MigrationConfiguration{BandwidthPerMigration: &neg}, "bandwidthPerMigration", field.ErrorTypeInvalid},
		{virtv1.MigrationConfiguration{AllowPostCopy: ptr.To(true)}, "allowPostCopy", field.ErrorTypeForbidden},
		{virtv1.MigrationConfiguration{AllowWorkloadDisruption: ptr.To(true)}, "allowWorkloadDisruption", field.ErrorTypeForbidden},
		{virtv1.MigrationConfiguration{DisableTLS: ptr.To(true)}, "disableTLS", field.ErrorTypeForbidden},
		{virtv1.MigrationConfiguration{Network: "migration-net"}, "network", field.ErrorTypeForbidden},
		{virtv1.MigrationConfiguration{NodeDrainTaintKey: "kubevirt.io/drain"}, "nodeDrainTaintKey", field.ErrorTypeForbidden},
		{virtv1.MigrationConfiguration{UnsafeMigrationOverride: ptr.To(true)}, "unsafeMigrationOverride", field.ErrorTypeForbidden},
	} {
		assertCause(t, ValidateKubeVirt(withMigrations(tc.m)), path(tc.field), tc.typ)
	}
}
