package virtoperator

import (
	"errors"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

// checkCommonInstancetypes: the install carries the common instancetypes and
// preferences with upstream's labels and values.
func checkCommonInstancetypes(t *testing.T, c clients) {
	eventually(t, 30*time.Second, "common instancetypes installed", func() error {
		it, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Get(bg, "u1.small", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if it.Labels["instancetype.kubevirt.io/vendor"] != "kubevirt.io" || it.Spec.CPU.Guest != 1 || it.Spec.Memory.Guest.String() != "2Gi" {
			return fmt.Errorf("u1.small labels %v spec %+v", it.Labels, it.Spec)
		}
		p, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterPreferences().Get(bg, "alpine", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Spec.Devices == nil || p.Spec.Devices.PreferredDiskBus != "virtio" {
			return fmt.Errorf("alpine spec %+v", p.Spec)
		}
		return nil
	})
	its, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().List(bg,
		metav1.ListOptions{LabelSelector: "instancetype.kubevirt.io/vendor=kubevirt.io"})
	if err != nil || len(its.Items) < 40 {
		t.Errorf("vendor-labelled instancetypes: %v, %d", err, len(its.Items))
	}
}

// checkCommonInstancetypesToggle: enabled: false removes them, enabled again
// (or unset) brings them back.
func checkCommonInstancetypesToggle(t *testing.T, c clients) {
	get := func() error {
		_, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterPreferences().Get(bg, "fedora", metav1.GetOptions{})
		return err
	}
	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) {
		kv.Spec.Configuration.CommonInstancetypesDeployment = &virtv1.CommonInstancetypesDeployment{Enabled: ptr.To(false)}
	})
	eventually(t, 30*time.Second, "common instancetypes removed when disabled", func() error {
		if err := gone("preference fedora", get); err != nil {
			return err
		}
		return gone("instancetype cx1.medium", func() error {
			_, err := c.kvirt.InstancetypeV1beta1().VirtualMachineClusterInstancetypes().Get(bg, "cx1.medium", metav1.GetOptions{})
			return err
		})
	})
	updateKV(t, c, "kubevirt", func(kv *virtv1.KubeVirt) { kv.Spec.Configuration.CommonInstancetypesDeployment = nil })
	eventually(t, 30*time.Second, "common instancetypes back by default", func() error {
		if err := get(); err != nil {
			return errors.New("preference fedora not reinstalled: " + err.Error())
		}
		return nil
	})
}
