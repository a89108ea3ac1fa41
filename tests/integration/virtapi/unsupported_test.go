package virtapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
	instancetypev1beta1 "kvirt.io/api/instancetype/v1beta1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
)

// causeAt reports whether err is a denial with a cause at fld whose message
// contains msg.
func causeAt(err error, fld, msg string) bool {
	var status *apierrors.StatusError
	if !errors.As(err, &status) || status.ErrStatus.Details == nil {
		return false
	}
	for _, c := range status.ErrStatus.Details.Causes {
		if c.Field == fld && strings.Contains(c.Message, msg) {
			return true
		}
	}
	return false
}

// testUnsupportedFields: through the apiserver, a field kvirt does not implement
// is refused with its path and reason, a VM whose preference would add one is
// refused at spec.preference.name (virt-api reads the preference as its own
// ServiceAccount), and a compat field is admitted with a warning kubectl shows.
func testUnsupportedFields(t *testing.T, e env) {
	ctx := context.Background()
	ns := testNamespace(t, e)
	cfg := rest.CopyConfig(e.admin)
	seen := &warnings{}
	cfg.WarningHandler = seen
	client := kvirtclient.NewForConfigOrDie(cfg)

	spec := minimalSpec()
	spec.Domain.Devices.TPM = &virtv1.TPMDevice{}
	_, err := client.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{Name: "tpm"}, Spec: spec}, metav1.CreateOptions{})
	if !causeAt(err, "spec.domain.devices.tpm", "not supported by kvirt: no TPM device is rendered") {
		t.Errorf("VMI with a TPM: want a denial at spec.domain.devices.tpm, got %v", err)
	}

	pref := &instancetypev1beta1.VirtualMachinePreference{ObjectMeta: metav1.ObjectMeta{Name: "hyperv"},
		Spec: instancetypev1beta1.VirtualMachinePreferenceSpec{Features: &instancetypev1beta1.FeaturePreferences{
			PreferredHyperv: &virtv1.FeatureHyperv{Relaxed: &virtv1.FeatureState{}}}}}
	if _, err := client.InstancetypeV1beta1().VirtualMachinePreferences(ns).Create(ctx, pref, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create preference: %v", err)
	}
	_, err = client.KubevirtV1().VirtualMachines(ns).Create(ctx, &virtv1.VirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: "windows"},
		Spec: virtv1.VirtualMachineSpec{RunStrategy: ptr.To(virtv1.RunStrategyHalted),
			Preference: &virtv1.PreferenceMatcher{Name: "hyperv", Kind: "VirtualMachinePreference"},
			Template:   &virtv1.VirtualMachineInstanceTemplateSpec{Spec: minimalSpec()}},
	}, metav1.CreateOptions{})
	if !causeAt(err, "spec.preference.name", "the preference sets spec.template.spec.domain.features.hyperv") {
		t.Errorf("VM with a Hyper-V preference: want a denial at spec.preference.name, got %v", err)
	}

	spec = minimalSpec()
	spec.Domain.Devices.Disks = []virtv1.Disk{{Name: "root", DedicatedIOThread: ptr.To(true),
		Disk: &virtv1.DiskTarget{Bus: virtv1.DiskBusVirtio}}}
	if _, err := client.KubevirtV1().VirtualMachineInstances(ns).Create(ctx, &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{Name: "iothread"}, Spec: spec}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("VMI with a dedicated IO thread refused: %v", err)
	}
	if want := "spec.domain.devices.disks[0].dedicatedIOThread: accepted, but not supported by kvirt yet"; !seen.contain(want) {
		t.Errorf("warnings %q, want one containing %q", seen.msgs, want)
	}
}
