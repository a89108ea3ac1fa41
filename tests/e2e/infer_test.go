package e2e

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// inferClaim is a claim nothing binds (its storage class does not exist): the
// webhook reads only its labels.
const inferClaim = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: root-disk
  labels:
    instancetype.kubevirt.io/default-instancetype: u1.small
    instancetype.kubevirt.io/default-preference: alpine
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: kvirt-e2e-never-bound
  resources:
    requests: {storage: 64Mi}
`

const inferVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: inferred
spec:
  runStrategy: Halted
  instancetype: {inferFromVolume: root}
  preference: {inferFromVolume: root}
  template:
    spec:
      domain:
        devices: {}
      volumes:
      - name: root
        persistentVolumeClaim: {claimName: root-disk}
`

// TestInferFromVolume: a VM created with inferFromVolume on a labelled claim
// is stored with the claim's default instancetype and preference; a
// containerDisk volume is refused with the field path.
func TestInferFromVolume(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, inferClaim, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply claim: %v\n%s%s", err, out, errOut)
	}
	if out, errOut, err := kubectl(t, inferVM, "-n", ns, "create", "-f", "-"); err != nil {
		t.Fatalf("kubectl create vm: %v\n%s%s", err, out, errOut)
	}
	vm, err := e.kvirt.KubevirtV1().VirtualMachines(ns).Get(ctx(t), "inferred", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if it := vm.Spec.Instancetype; it == nil || it.Name != "u1.small" || it.InferFromVolume != "" {
		t.Errorf("instancetype = %+v, want u1.small inferred from the claim", it)
	}
	if p := vm.Spec.Preference; p == nil || p.Name != "alpine" || p.InferFromVolume != "" {
		t.Errorf("preference = %+v, want alpine inferred from the claim", p)
	}
	containerDisk := strings.NewReplacer("name: inferred", "name: from-image",
		"persistentVolumeClaim: {claimName: root-disk}", "containerDisk: {image: quay.io/kubevirt/cirros-container-disk-demo}").
		Replace(inferVM)
	_, errOut, err := kubectl(t, containerDisk, "-n", ns, "create", "-f", "-")
	if err == nil || !strings.Contains(errOut, "spec.instancetype.inferFromVolume") || !strings.Contains(errOut, "containerDisk") {
		t.Errorf("containerDisk inferFromVolume: err %v, stderr %q; want a refusal naming the field", err, errOut)
	}
}
