package launcherpod

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	virtv1 "kvirt.io/api/core/v1"
)

// podNetworkVMI is a VMI with a containerDisk, cloud-init and one pod-network
// interface bound by binding ("masquerade" or "bridge"), as virt-api defaults it.
func podNetworkVMI(binding string) *virtv1.VirtualMachineInstance {
	vmi := baseVMI()
	iface := virtv1.Interface{Name: "default"}
	if binding == "bridge" {
		iface.Bridge = &virtv1.InterfaceBridge{}
	} else {
		iface.Masquerade = &virtv1.InterfaceMasquerade{}
	}
	vmi.Spec.Domain.Devices.Interfaces = []virtv1.Interface{iface}
	vmi.Spec.Networks = []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}}
	vmi.Spec.Volumes = []virtv1.Volume{
		{Name: "containerdisk", ContainerDisk: &virtv1.ContainerDiskSource{Image: "reg/guest:v1"}},
		{Name: "cloudinitdisk", CloudInitNoCloud: &virtv1.CloudInitNoCloudSource{UserData: "#!/bin/sh\n"}},
	}
	return vmi
}

// hostPathsOfSockets were the hostPath volumes that remained until the launcher's
// sockets moved into the pod's own emptyDir (issue 11, item 2): now none, so a
// non-root launcher pod passes "restricted" with no exception.
var hostPathsOfSockets = []string{}

// podSecurityFindings evaluates pod against the latest Pod Security level and
// returns each forbidden reason with its detail.
func podSecurityFindings(t *testing.T, pod *corev1.Pod, level psaapi.Level) map[string]string {
	t.Helper()
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lv := psaapi.LevelVersion{Level: level, Version: psaapi.LatestVersion()}
	for _, r := range evaluator.EvaluatePod(lv, &pod.ObjectMeta, &pod.Spec) {
		if !r.Allowed {
			out[r.ForbiddenReason] = r.ForbiddenDetail
		}
	}
	return out
}

// withoutSocketHostPaths drops the hostPathsOfSockets volumes and their mounts.
func withoutSocketHostPaths(pod *corev1.Pod) *corev1.Pod {
	pod = pod.DeepCopy()
	pod.Spec.Volumes = slices.DeleteFunc(pod.Spec.Volumes, func(v corev1.Volume) bool {
		return v.HostPath != nil && slices.Contains(hostPathsOfSockets, v.Name)
	})
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		c.VolumeMounts = slices.DeleteFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
			return slices.Contains(hostPathsOfSockets, m.Name)
		})
	}
	return pod
}

// TestNonRootLauncherPodIsRestricted: the launcher pod of a masquerade VMI (and
// of one without a pod network) passes Pod Security "restricted", latest
// version, as the API server of a namespace enforcing it would check it.
func TestNonRootLauncherPodIsRestricted(t *testing.T) {
	noNet := baseVMI()
	noNet.Spec.Volumes = []virtv1.Volume{{Name: "containerdisk", ContainerDisk: &virtv1.ContainerDiskSource{Image: "reg/g"}}}
	for name, vmi := range map[string]*virtv1.VirtualMachineInstance{
		"masquerade": podNetworkVMI("masquerade"), "no pod network": noNet,
	} {
		t.Run(name, func(t *testing.T) {
			pod := Render(vmi, Config{})
			if len(pod.Spec.InitContainers) < 3 {
				t.Fatalf("want the helper, a copy and the console log init containers, got %d", len(pod.Spec.InitContainers))
			}
			if f := podSecurityFindings(t, withoutSocketHostPaths(pod), psaapi.LevelRestricted); len(f) != 0 {
				t.Fatalf("restricted refuses the launcher pod: %v", f)
			}
			for reason, detail := range podSecurityFindings(t, pod, psaapi.LevelRestricted) {
				if reason != "restricted volume types" || !strings.Contains(detail, `"hostPath"`) {
					t.Errorf("restricted refuses the launcher pod: %s (%s)", reason, detail)
				}
			}
			checkNonRoot(t, pod)
		})
	}
}

func checkNonRoot(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	psc := pod.Spec.SecurityContext
	for name, id := range map[string]*int64{"runAsUser": psc.RunAsUser, "runAsGroup": psc.RunAsGroup, "fsGroup": psc.FSGroup} {
		if id == nil || *id != 107 {
			t.Errorf("pod %s = %v, want 107", name, id)
		}
	}
	c := pod.Spec.Containers[0].SecurityContext
	want := &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}}
	if !reflect.DeepEqual(c.Capabilities, want) || c.AllowPrivilegeEscalation == nil || *c.AllowPrivilegeEscalation {
		t.Errorf("compute capabilities %+v allowPrivilegeEscalation %v", c.Capabilities, c.AllowPrivilegeEscalation)
	}
	if s := pod.Spec.ShareProcessNamespace; s == nil || !*s {
		t.Error("the pod does not share its process namespace: nothing would reap QEMU's probe processes")
	}
}

// TestBridgeLauncherPodIsNonRoot: virt-handler builds the bridge binding on
// the pod network, so its launcher is as unprivileged as any other (no
// NET_ADMIN, no SYS_ADMIN) and the pod meets Pod Security "restricted".
func TestBridgeLauncherPodIsNonRoot(t *testing.T) {
	pod := withoutSocketHostPaths(Render(podNetworkVMI("bridge"), Config{}))
	checkNonRoot(t, pod)
	if restricted := podSecurityFindings(t, pod, psaapi.LevelRestricted); len(restricted) != 0 {
		t.Errorf("restricted findings %v, want none", restricted)
	}
}
