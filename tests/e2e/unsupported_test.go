package e2e

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

// tpmVMI is a VMI asking for a TPM, which kvirt does not render.
const tpmVMI = `apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: tpm
spec:
  domain:
    devices:
      tpm: {}
    resources:
      requests:
        memory: 128Mi
  volumes:
  - name: containerdisk
    containerDisk:
      image: %s
`

// TestWebhookRefusesUnsupportedField: on the operator-installed cluster, a VMI
// with a TPM is refused by virt-api's webhook, through kubectl and through the
// client, with the field's path and "not supported by kvirt"; nothing is
// stored. So is a KubeVirt CR update turning off the migration streams' TLS.
func TestWebhookRefusesUnsupportedField(t *testing.T) {
	ns := newNamespace(t)
	const want = "spec.domain.devices.tpm: Unsupported value: {}: not supported by kvirt: no TPM device is rendered"
	_, errOut, err := kubectl(t, strings.Replace(tpmVMI, "%s", e.guestDisk, 1), "-n", ns, "create", "-f", "-")
	if err == nil || !strings.Contains(errOut, want) {
		t.Errorf("kubectl create: err %v, stderr %q; want a refusal saying %q", err, errOut, want)
	}

	vmi := &virtv1.VirtualMachineInstance{
		ObjectMeta: metav1.ObjectMeta{Name: "tpm"},
		Spec: virtv1.VirtualMachineInstanceSpec{
			Domain: virtv1.DomainSpec{
				Devices:   virtv1.Devices{TPM: &virtv1.TPMDevice{}},
				Resources: virtv1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")}},
			},
			Volumes: []virtv1.Volume{{Name: "containerdisk", ContainerDisk: &virtv1.ContainerDiskSource{Image: e.guestDisk}}},
		},
	}
	_, err = e.kvirt.KubevirtV1().VirtualMachineInstances(ns).Create(ctx(t), vmi, metav1.CreateOptions{})
	var status *apierrors.StatusError
	switch {
	case !errors.As(err, &status) || status.ErrStatus.Details == nil:
		t.Errorf("client create: want a denial with causes, got %v", err)
	case len(status.ErrStatus.Details.Causes) == 0 || status.ErrStatus.Details.Causes[0].Field != "spec.domain.devices.tpm" ||
		!strings.Contains(status.ErrStatus.Details.Causes[0].Message, "not supported by kvirt"):
		t.Errorf("client create: causes %+v, want spec.domain.devices.tpm not supported by kvirt", status.ErrStatus.Details.Causes)
	}
	if _, err := getVMI(t, ns, "tpm"); !apierrors.IsNotFound(err) {
		t.Errorf("the refused VMI exists (or cannot be read): %v", err)
	}

	// The KubeVirt CR too: turning off the migration streams' TLS is refused
	// by field path, and the stored CR keeps its configuration.
	err = updateKubeVirt(ctx(t), func(kv *virtv1.KubeVirt) {
		kv.Spec.Configuration.Migrations = &virtv1.MigrationConfiguration{DisableTLS: ptr.To(true)}
	})
	const tlsWant = "spec.configuration.migrations.disableTLS: Forbidden: not supported by kvirt"
	if err == nil || !strings.Contains(err.Error(), tlsWant) {
		t.Errorf("KubeVirt update with disableTLS: %v, want a denial saying %q", err, tlsWant)
	}
	kv, err := e.kvirt.KubevirtV1().KubeVirts(kvirtNamespace).Get(ctx(t), "kubevirt", metav1.GetOptions{})
	if err != nil || kv.Spec.Configuration.Migrations != nil && kv.Spec.Configuration.Migrations.DisableTLS != nil {
		t.Errorf("the stored KubeVirt CR changed (or cannot be read): %v", err)
	}
}
