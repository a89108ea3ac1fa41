package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// uploadVM boots from the uploaded DataVolume up-disk (its first disk) with
// cloud-init user data that prints uploadMarker.
const uploadVM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: upvm
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          disks:
          - name: root
            disk: {bus: virtio}
          - name: cloudinitdisk
            disk: {bus: virtio}
        resources:
          requests:
            memory: 128Mi
      terminationGracePeriodSeconds: 5
      volumes:
      - name: root
        dataVolume:
          name: up-disk
      - name: cloudinitdisk
        cloudInitNoCloud:
          userData: |
            #!/bin/sh
            echo KVIRT-UPLOADED-DISK-RUNS
`

// qcow2Guest converts the test guest's raw disk (hack/build-test-guest.sh,
// cheap when up to date; it prints the guest's directory last) to qcow2.
func qcow2Guest(t *testing.T) string {
	t.Helper()
	out, err := exec.CommandContext(ctx(t), "bash", filepath.Join(e.root, "hack/build-test-guest.sh")).Output()
	if err != nil {
		t.Fatalf("hack/build-test-guest.sh: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	raw := filepath.Join(strings.TrimSpace(lines[len(lines)-1]), "disk.img")
	qcow := filepath.Join(t.TempDir(), "guest.qcow2")
	if msg, err := exec.CommandContext(ctx(t), "qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, qcow).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert %s (make deps installs qemu-utils): %v\n%s", raw, err, msg)
	}
	return qcow
}

// TestImageUpload: `virtctl image-upload dv` creates an upload DataVolume,
// streams a qcow2 of the test guest's disk through the Kubernetes API and
// waits for it to succeed; a VM boots from it. A ServiceAccount that may only
// get DataVolumes is refused both the DataVolume's creation and the upload
// into one that is ready, with a message saying it is not allowed.
func TestImageUpload(t *testing.T) {
	if _, errOut, err := kubectl(t, "", "get", "crd", "datavolumes.cdi.kubevirt.io"); err != nil {
		t.Fatalf("no DataVolume API (virt-operator installs manifests/cdi-crds): %v\n%s", err, errOut)
	}
	image := qcow2Guest(t)
	ns := newNamespace(t)
	start := time.Now()
	out, err := virtctl(t, "-n", ns, "image-upload", "dv", "up-disk", "--image-path", image, "--size", "256Mi", "--wait-secs", "240")
	if err != nil || !strings.Contains(out, "completed successfully") {
		t.Fatalf("virtctl image-upload: %v\n%s", err, out)
	}
	t.Logf("image-upload took %s:\n%s", time.Since(start).Round(time.Second), out)
	if p := jsonpath(t, ns, "datavolume", "up-disk", "{.status.phase}"); p != "Succeeded" {
		t.Errorf("DataVolume phase %q after image-upload, want Succeeded", p)
	}
	if out, errOut, err := kubectl(t, uploadVM, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply vm: %v\n%s%s", err, out, errOut)
	}
	waitRunning(t, ns, "upvm")
	consoleUntil(t, ns, "upvm", markerBooted, "KVIRT-UPLOADED-DISK-RUNS")
	t.Run("refused without permission", func(t *testing.T) { uploadRefused(t, ns, image) })
}

// uploadRefused: a ServiceAccount bound to a Role with only get on
// DataVolumes runs virtctl image-upload with its own token.
func uploadRefused(t *testing.T, ns, image string) {
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "dv-reader"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{"cdi.kubevirt.io"}, Resources: []string{"datavolumes"}, Verbs: []string{"get"}}}}
	if _, err := e.kube.RbacV1().Roles(ns).Create(ctx(t), role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kube.CoreV1().ServiceAccounts(ns).Create(ctx(t),
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "uploader"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bindInNamespaceRole(t, ns, "dv-reader", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "uploader", Namespace: ns})
	user := "system:serviceaccount:" + ns + ":uploader"
	waitMay(t, user, []string{"system:serviceaccounts"}, authorizationv1.ResourceAttributes{Namespace: ns, Verb: "get",
		Group: "cdi.kubevirt.io", Resource: "datavolumes"})
	kubeconfig := tokenKubeconfig(t, ns, "uploader")

	// Creating the DataVolume is refused.
	out, err := virtctlAs(t, kubeconfig, "-n", ns, "image-upload", "dv", "denied", "--image-path", image, "--size", "64Mi",
		"--wait-secs", "30")
	if err == nil || !strings.Contains(out, "not allowed to create datavolumes in namespace "+ns) {
		t.Errorf("image-upload creating a DataVolume without create: %v, want a refusal saying it is not allowed\n%s", err, out)
	}
	t.Logf("refused create:\n%s", out)
	// The upload into a ready DataVolume the admin made is refused.
	applyDataVolume(t, ns, "admin-made", "{upload: {}}", "Filesystem")
	waitDataVolume(t, ns, "admin-made", "UploadReady")
	out, err = virtctlAs(t, kubeconfig, "-n", ns, "image-upload", "dv", "admin-made", "--no-create", "--image-path", image,
		"--wait-secs", "60")
	if err == nil || !strings.Contains(out, "not allowed to create datavolumes/upload in namespace "+ns) {
		t.Errorf("image-upload without create on datavolumes/upload: %v, want a refusal saying it is not allowed\n%s", err, out)
	}
	t.Logf("refused upload:\n%s", out)
	if p := jsonpath(t, ns, "datavolume", "admin-made", "{.status.phase}"); p != "UploadReady" {
		t.Errorf("DataVolume admin-made phase %q after the refused upload, want UploadReady", p)
	}
}

// tokenKubeconfig writes a kubeconfig for the ServiceAccount with a token
// from kubectl create token and the cluster's server and CA.
func tokenKubeconfig(t *testing.T, ns, sa string) string {
	t.Helper()
	token, errOut, err := kubectl(t, "", "-n", ns, "create", "token", sa, "--duration", "1h")
	if err != nil {
		t.Fatalf("kubectl create token: %v\n%s", err, errOut)
	}
	ca := e.config.CAData
	if len(ca) == 0 && e.config.CAFile != "" {
		if ca, err = os.ReadFile(e.config.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: e.config.Host, CertificateAuthorityData: ca}
	cfg.AuthInfos[sa] = &clientcmdapi.AuthInfo{Token: strings.TrimSpace(token)}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: sa, Namespace: ns}
	cfg.CurrentContext = "e2e"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// virtctlAs runs virtctl with another kubeconfig, returning its combined output.
func virtctlAs(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	raw, err := exec.CommandContext(ctx(t), e.virtctl, append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
	if err != nil {
		return string(raw), fmt.Errorf("virtctl %s: %w", strings.Join(args, " "), err)
	}
	return string(raw), nil
}
