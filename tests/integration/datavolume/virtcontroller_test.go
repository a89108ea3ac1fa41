package datavolume

import (
	"context"
	"testing"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	virtcontroller "kvirt.io/kvirt/pkg/virt-controller"
	"kvirt.io/kvirt/tests/framework/background"
)

// TestVirtControllerRunsDataVolumes: virt-controller started with
// --datavolume-controller and --importer-image runs the DataVolume controller,
// whose importer pods use that image.
func TestVirtControllerRunsDataVolumes(t *testing.T) {
	c := newClients(t)
	ns := testNamespace(t, c)
	o := &virtcontroller.Options{}
	fs := pflag.NewFlagSet("virt-controller", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--datavolume-controller", "--importer-image=kvirt.local/importer:flag",
		"--metrics-bind-address=", "--leader-elect=false", "--kubeconfig=" + cp.KubeconfigPath()}); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	background.Run(t, "virt-controller", o.Run)
	dv := &cdiv1beta1.DataVolume{ObjectMeta: metav1.ObjectMeta{Name: "disk", Namespace: ns},
		Spec: cdiv1beta1.DataVolumeSpec{Source: &cdiv1beta1.DataVolumeSource{Blank: &cdiv1beta1.DataVolumeBlankImage{}},
			Storage: &cdiv1beta1.StorageSpec{Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}}
	if _, err := c.kvirt.CdiV1beta1().DataVolumes(ns).Create(context.Background(), dv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := waitPod(t, c, ns, "", "0")
	if img := pod.Spec.Containers[0].Image; img != "kvirt.local/importer:flag" || pod.Spec.Containers[0].Args[0] != "--source=blank" {
		t.Errorf("importer image %s args %q", img, pod.Spec.Containers[0].Args)
	}
}
