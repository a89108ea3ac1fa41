package virtcontroller

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-controller/vm"
	"kvirt.io/kvirt/pkg/virt-controller/vmi"
	"kvirt.io/kvirt/tests/framework/controlplane"
)

// dataVolumeVM is an Always VM with one blank dataVolumeTemplate (and a
// dataVolume volume and disk) per name.
func dataVolumeVM(ns, name string, dvs ...string) *virtv1.VirtualMachine {
	v := testVM(ns, name, virtv1.RunStrategyAlways)
	spec := &v.Spec.Template.Spec
	for _, dv := range dvs {
		v.Spec.DataVolumeTemplates = append(v.Spec.DataVolumeTemplates, virtv1.DataVolumeTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Name: dv, Labels: map[string]string{"disk": dv}},
			Spec: cdiv1beta1.DataVolumeSpec{
				Source: &cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}},
				Storage: &cdiv1beta1.StorageSpec{Resources: corev1.VolumeResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
			},
		})
		spec.Domain.Devices.Disks = append(spec.Domain.Devices.Disks, virtv1.Disk{Name: dv})
		spec.Volumes = append(spec.Volumes, virtv1.Volume{Name: dv, DataVolume: &virtv1.DataVolumeSource{Name: dv}})
	}
	return v
}

func vmFailure(c clients, ns, name, reason string) func() error {
	return func() error {
		v, err := getVM(c, ns, name)
		if err != nil {
			return err
		}
		for _, cond := range v.Status.Conditions {
			if cond.Type == virtv1.VirtualMachineFailure && cond.Reason == reason {
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", v.Status.Conditions)
	}
}

func noVMI(c clients, ns, name string) func() error {
	return func() error {
		if _, err := getVMI(c, ns, name); err == nil {
			return fmt.Errorf("vmi %s exists", name)
		}
		return nil
	}
}

// TestDataVolumeTemplatesWithoutDataVolumeAPI must run before the CDI CRDs are
// installed (it comes first in this package): a VM with dataVolumeTemplates
// says why it does not start, and a VM without templates still starts.
func TestDataVolumeTemplatesWithoutDataVolumeAPI(t *testing.T) {
	c := newClients(t)
	if _, err := c.kube.Discovery().ServerResourcesForGroupVersion(cdiv1beta1.SchemeGroupVersion.String()); err == nil {
		t.Skip("the CDI CRDs are installed already (run this test on its own or in file order)")
	}
	ns := testNamespace(t, c)
	startController(t, controllerOptions())
	ctx := context.Background()
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, dataVolumeVM(ns, "with-dv", "with-dv-root"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, testVM(ns, "plain", virtv1.RunStrategyAlways), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	vmiUID(t, c, ns, "plain", "")
	eventually(t, 30*time.Second, "DataVolumeAPIUnavailable", vmFailure(c, ns, "with-dv", vm.ReasonDataVolumeAPIUnavailable))
	vmEvent(t, c, ns, "with-dv", vm.EventDataVolumeAPIUnavailable)
	stays(t, time.Second, "no vmi for with-dv", noVMI(c, ns, "with-dv"))
}

// TestDataVolumeTemplates: the VM creates its templates' DataVolumes (owned by
// it), shows Provisioning while they import and DataVolumeError when one fails,
// and creates its VMI only once both Succeeded; the VMI then reports
// DataVolumesReady and its claims in volumeStatus. The test plays the
// DataVolume controller (claims, DataVolume status), kubelet and virt-handler.
func TestDataVolumeTemplates(t *testing.T) {
	c := newClients(t)
	installCDICRDs(t)
	ns := testNamespace(t, c)
	fakeKubelet(t, c, ns)
	startController(t, controllerOptions())
	ctx := context.Background()
	if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, dataVolumeVM(ns, "dv-vm", "dv-root", "dv-data"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	owner, err := getVM(c, ns, "dv-vm")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dv-root", "dv-data"} {
		eventually(t, 30*time.Second, "DataVolume "+name, ownedDataVolume(c, owner, name))
	}
	eventually(t, 30*time.Second, "Provisioning", printable(c, ns, "dv-vm", virtv1.VirtualMachineStatusProvisioning))
	vmEvent(t, c, ns, "dv-vm", vm.EventSuccessfulDataVolumeCreate)
	for _, name := range []string{"dv-root", "dv-data"} {
		boundClaim(t, c, ns, name)
	}
	setDataVolumePhase(t, c, ns, "dv-root", cdiv1beta1.Succeeded)
	setDataVolumePhase(t, c, ns, "dv-data", cdiv1beta1.ImportInProgress)
	stays(t, 2*time.Second, "no vmi while dv-data imports", noVMI(c, ns, "dv-vm"))
	eventually(t, 10*time.Second, "still Provisioning", printable(c, ns, "dv-vm", virtv1.VirtualMachineStatusProvisioning))

	setDataVolumePhase(t, c, ns, "dv-data", cdiv1beta1.Failed)
	eventually(t, 30*time.Second, "DataVolumeError", printable(c, ns, "dv-vm", virtv1.VirtualMachineStatusDataVolumeError))
	vmEvent(t, c, ns, "dv-vm", vm.EventFailedDataVolumeImport)
	stays(t, time.Second, "no vmi with a failed DataVolume", noVMI(c, ns, "dv-vm"))

	setDataVolumePhase(t, c, ns, "dv-data", cdiv1beta1.Succeeded)
	uid := vmiUID(t, c, ns, "dv-vm", "")
	eventually(t, 30*time.Second, "DataVolumesReady and volumeStatus", vmiStorageReported(c, ns, "dv-vm"))
	pod := launcherPod(t, c, &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dv-vm", UID: uid}})
	markPodRunning(t, c, pod, "node-1")
	eventually(t, 30*time.Second, "vmi Scheduled", vmiPhase(c, ns, "dv-vm", virtv1.Scheduled))
	setVMIPhase(t, c, ns, "dv-vm", virtv1.Running)
	eventually(t, 30*time.Second, "Running", printable(c, ns, "dv-vm", virtv1.VirtualMachineStatusRunning))
}

func installCDICRDs(t *testing.T) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "manifests", "cdi-crds")
	if _, err := controlplane.InstallCRDs(context.Background(), cp.RESTConfig(), dir, 2*time.Minute); err != nil {
		t.Fatalf("install cdi crds: %v", err)
	}
}

func ownedDataVolume(c clients, owner *virtv1.VirtualMachine, name string) func() error {
	return func() error {
		dv, err := c.kvirt.CdiV1beta1().DataVolumes(owner.Namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		ref := metav1.GetControllerOf(dv)
		switch {
		case ref == nil || ref.UID != owner.UID || ref.Kind != "VirtualMachine" || ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion:
			return fmt.Errorf("controller %+v", ref)
		case dv.Labels["disk"] != name || dv.Labels[virtv1.CreatedByLabel] != string(owner.UID):
			return fmt.Errorf("labels %v", dv.Labels)
		case dv.Spec.Source == nil || dv.Spec.Source.Blank == nil || dv.Spec.Storage == nil:
			return fmt.Errorf("spec %+v", dv.Spec)
		}
		return nil
	}
}

// boundClaim creates the claim a DataVolume controller would, bound with 1Gi.
func boundClaim(t *testing.T, c clients, ns, name string) {
	t.Helper()
	ctx := context.Background()
	pvc, err := c.kube.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1084Mi")}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pvc.Status.Phase = corev1.ClaimBound
	pvc.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
	if _, err := c.kube.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// setDataVolumePhase plays the DataVolume controller.
func setDataVolumePhase(t *testing.T, c clients, ns, name string, p cdiv1beta1.DataVolumePhase) {
	t.Helper()
	eventually(t, 10*time.Second, "set phase of DataVolume "+name, func() error {
		client := c.kvirt.CdiV1beta1().DataVolumes(ns)
		dv, err := client.Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		dv.Status.Phase = p
		dv.Status.ClaimName = name
		_, err = client.UpdateStatus(context.Background(), dv, metav1.UpdateOptions{})
		return err
	})
}

func vmiStorageReported(c clients, ns, name string) func() error {
	return func() error {
		v, err := getVMI(c, ns, name)
		if err != nil {
			return err
		}
		ready := false
		for _, cond := range v.Status.Conditions {
			if cond.Type == virtv1.VirtualMachineInstanceDataVolumesReady && cond.Status == string(corev1.ConditionTrue) &&
				cond.Reason == vmi.ReasonAllDVsReady {
				ready = true
			}
		}
		if !ready {
			return fmt.Errorf("conditions %+v", v.Status.Conditions)
		}
		claims := 0
		for _, st := range v.Status.VolumeStatus {
			info := st.PersistentVolumeClaimInfo
			if info == nil || st.Phase != vmi.VolumeBound || st.Size != 1<<30 || info.ClaimName != st.Name ||
				len(info.AccessModes) != 1 || info.FilesystemOverhead == "" {
				continue
			}
			claims++
		}
		if claims != 2 {
			return fmt.Errorf("volumeStatus %+v", v.Status.VolumeStatus)
		}
		return nil
	}
}

// TestDataVolumeTemplatesAdoptOrRefuse: a DataVolume of a template's name that
// nobody controls is adopted and used; one another object controls is left
// alone and keeps the VM from starting, with a Failure condition and an Event.
func TestDataVolumeTemplatesAdoptOrRefuse(t *testing.T) {
	c := newClients(t)
	installCDICRDs(t)
	ns := testNamespace(t, c)
	startController(t, controllerOptions())
	ctx := context.Background()
	template := dataVolumeVM(ns, "adopter", "orphan-dv")
	orphan := vm.NewDataVolume(template, &template.Spec.DataVolumeTemplates[0])
	orphan.OwnerReferences, orphan.Labels = nil, nil
	foreign := orphan.DeepCopy()
	foreign.Name = "foreign-dv"
	foreign.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "other", UID: "other-uid", Controller: ptrTrue()}}
	for _, dv := range []*cdiv1beta1.DataVolume{orphan, foreign} {
		if _, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Create(ctx, dv, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		setDataVolumePhase(t, c, ns, dv.Name, cdiv1beta1.Succeeded)
	}
	for _, v := range []*virtv1.VirtualMachine{dataVolumeVM(ns, "adopter", "orphan-dv"), dataVolumeVM(ns, "refused", "foreign-dv")} {
		if _, err := c.kvirt.KubevirtV1().VirtualMachines(ns).Create(ctx, v, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	adopter, err := getVM(c, ns, "adopter")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "orphan adopted", func() error {
		dv, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Get(ctx, "orphan-dv", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !metav1.IsControlledBy(dv, adopter) {
			return fmt.Errorf("owners %+v", dv.OwnerReferences)
		}
		return nil
	})
	vmiUID(t, c, ns, "adopter", "")
	eventually(t, 30*time.Second, "DataVolumeExistsNotOwned", vmFailure(c, ns, "refused", vm.ReasonDataVolumeOwnedElsewhere))
	vmEvent(t, c, ns, "refused", vm.EventDataVolumeOwnedElsewhere)
	stays(t, time.Second, "no vmi for refused", noVMI(c, ns, "refused"))
	dv, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Get(ctx, "foreign-dv", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dv.OwnerReferences) != 1 || dv.OwnerReferences[0].Kind != "ConfigMap" {
		t.Errorf("foreign DataVolume's owners changed: %+v", dv.OwnerReferences)
	}
}

func ptrTrue() *bool {
	b := true
	return &b
}
