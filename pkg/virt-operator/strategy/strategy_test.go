package strategy

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

var testCfg = Config{
	Namespace: "kubevirt",
	Images: Images{API: "kvirt.local/virt-api:sha256-1", Controller: "kvirt.local/virt-controller:sha256-2",
		Handler: "kvirt.local/virt-handler:sha256-3", Launcher: "kvirt.local/virt-launcher:sha256-4"},
	KubeletRootDir: "/srv/kubelet",
	CABundle:       []byte("PEM"),
}

func kubevirt(mutate func(*virtv1.KubeVirt)) *virtv1.KubeVirt {
	kv := &virtv1.KubeVirt{}
	kv.Name, kv.Namespace, kv.UID = "kubevirt", "kubevirt", types.UID("uid-1")
	if mutate != nil {
		mutate(kv)
	}
	return kv
}

func components(t *testing.T, kv *virtv1.KubeVirt) (api, ctrl *appsv1.Deployment, handler *appsv1.DaemonSet) {
	t.Helper()
	objs := Components(kv, testCfg)
	return objs[0].(*appsv1.Deployment), objs[1].(*appsv1.Deployment), objs[2].(*appsv1.DaemonSet)
}

func TestImages(t *testing.T) {
	for _, tc := range []struct {
		name, registry, tag string
		in, want            string
	}{
		{"no override", "", "", "kvirt.local/virt-api:sha256-1", "kvirt.local/virt-api:sha256-1"},
		{"registry", "quay.io/me/", "", "kvirt.local/virt-api:sha256-1", "quay.io/me/virt-api:sha256-1"},
		{"tag", "", "v1.2.3", "kvirt.local/virt-api:sha256-1", "kvirt.local/virt-api:v1.2.3"},
		{"both", "reg:5000", "v1", "kvirt.local/virt-api:devel", "reg:5000/virt-api:v1"},
		{"digest tag", "", "sha256:abc", "kvirt.local/virt-api:devel", "kvirt.local/virt-api@sha256:abc"},
		{"tag replaces digest", "", "v2", "kvirt.local/virt-api@sha256:abc", "kvirt.local/virt-api:v2"},
		{"registry with port, no tag", "", "v1", "localhost:5000/virt-api", "localhost:5000/virt-api:v1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kv := kubevirt(func(kv *virtv1.KubeVirt) { kv.Spec.ImageRegistry, kv.Spec.ImageTag = tc.registry, tc.tag })
			if got := EffectiveImages(kv, Images{API: tc.in}).API; got != tc.want {
				t.Errorf("image = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestComponentsFollowTheKubeVirt(t *testing.T) {
	for _, tc := range []struct {
		name      string
		mutate    func(*virtv1.KubeVirt)
		emulation bool
		policy    corev1.PullPolicy
		replicas  int32
		launcher  string
	}{
		{"defaults", nil, false, corev1.PullIfNotPresent, 2, testCfg.Images.Launcher},
		{"useEmulation", func(kv *virtv1.KubeVirt) {
			kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{UseEmulation: ptr.To(true)}
		}, true, corev1.PullIfNotPresent, 2, testCfg.Images.Launcher},
		{"useEmulation false", func(kv *virtv1.KubeVirt) {
			kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{UseEmulation: ptr.To(false)}
		}, false, corev1.PullIfNotPresent, 2, testCfg.Images.Launcher},
		{"pull policy", func(kv *virtv1.KubeVirt) { kv.Spec.ImagePullPolicy = corev1.PullAlways },
			false, corev1.PullAlways, 2, testCfg.Images.Launcher},
		{"infra replicas", func(kv *virtv1.KubeVirt) { kv.Spec.Infra = &virtv1.ComponentConfig{Replicas: ptr.To[uint8](3)} },
			false, corev1.PullIfNotPresent, 3, testCfg.Images.Launcher},
		{"image tag reaches the launcher", func(kv *virtv1.KubeVirt) { kv.Spec.ImageTag = "v9" },
			false, corev1.PullIfNotPresent, 2, "kvirt.local/virt-launcher:v9"},
		{"serial console log off", func(kv *virtv1.KubeVirt) {
			kv.Spec.Configuration.VirtualMachineOptions = &virtv1.VirtualMachineOptions{
				DisableSerialConsoleLog: &virtv1.DisableSerialConsoleLog{}}
		}, false, corev1.PullIfNotPresent, 2, testCfg.Images.Launcher},
		{"launcher verbosity", func(kv *virtv1.KubeVirt) {
			kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{
				LogVerbosity: &virtv1.LogVerbosity{VirtLauncher: ptr.To[int32](6)}}
		}, false, corev1.PullIfNotPresent, 2, testCfg.Images.Launcher},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api, ctrl, handler := components(t, kubevirt(tc.mutate))
			args := ctrl.Spec.Template.Spec.Containers[0].Args
			if got, want := slices.Contains(args, "--disable-serial-console-log"), tc.name == "serial console log off"; got != want {
				t.Errorf("--disable-serial-console-log in %v = %v, want %v", args, got, want)
			}
			if i := slices.Index(args, "--launcher-verbosity"); (i >= 0) != (tc.name == "launcher verbosity") ||
				(i >= 0 && args[i+1] != "6") {
				t.Errorf("--launcher-verbosity in %v, want 6 only for logVerbosity.virtLauncher", args)
			}
			if got := slices.Contains(args, "--allow-emulation"); got != tc.emulation {
				t.Errorf("--allow-emulation in %v = %v, want %v", args, got, tc.emulation)
			}
			if i := slices.Index(args, "--launcher-image"); i < 0 || args[i+1] != tc.launcher {
				t.Errorf("launcher image in %v, want %s", args, tc.launcher)
			}
			for _, c := range []corev1.Container{api.Spec.Template.Spec.Containers[0], ctrl.Spec.Template.Spec.Containers[0],
				handler.Spec.Template.Spec.Containers[0]} {
				if c.ImagePullPolicy != tc.policy {
					t.Errorf("%s pull policy %q, want %q", c.Name, c.ImagePullPolicy, tc.policy)
				}
			}
			if *api.Spec.Replicas != tc.replicas || *ctrl.Spec.Replicas != tc.replicas {
				t.Errorf("replicas %d/%d, want %d", *api.Spec.Replicas, *ctrl.Spec.Replicas, tc.replicas)
			}
		})
	}
}

func TestNodePlacement(t *testing.T) {
	kv := kubevirt(func(kv *virtv1.KubeVirt) {
		kv.Spec.Infra = &virtv1.ComponentConfig{NodePlacement: &virtv1.NodePlacement{NodeSelector: map[string]string{"infra": "yes"}}}
		kv.Spec.Workloads = &virtv1.ComponentConfig{NodePlacement: &virtv1.NodePlacement{NodeSelector: map[string]string{"vms": "yes"},
			Tolerations: []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}}}}
	})
	api, ctrl, handler := components(t, kv)
	if api.Spec.Template.Spec.NodeSelector["infra"] != "yes" || ctrl.Spec.Template.Spec.NodeSelector["infra"] != "yes" {
		t.Errorf("infra placement not applied: %v %v", api.Spec.Template.Spec.NodeSelector, ctrl.Spec.Template.Spec.NodeSelector)
	}
	if pod := handler.Spec.Template.Spec; pod.NodeSelector["vms"] != "yes" || len(pod.Tolerations) != 2 {
		t.Errorf("workloads placement not applied to virt-handler: %v %v", pod.NodeSelector, pod.Tolerations)
	}
}

func TestHandlerDaemonSet(t *testing.T) {
	_, _, ds := components(t, kubevirt(nil))
	pod := ds.Spec.Template.Spec
	c := pod.Containers[0]
	if !pod.HostNetwork || !pod.HostPID || pod.ServiceAccountName != "kubevirt-handler" || !*c.SecurityContext.Privileged ||
		*c.SecurityContext.RunAsUser != 0 || *pod.TerminationGracePeriodSeconds != 30 {
		t.Errorf("pod %+v", pod)
	}
	if len(pod.Tolerations) != 1 || pod.Tolerations[0].Operator != corev1.TolerationOpExists || pod.Tolerations[0].Key != "" {
		t.Errorf("tolerations %+v, want tolerate everything", pod.Tolerations)
	}
	hostPaths := map[string]string{}
	for _, v := range pod.Volumes {
		if v.HostPath != nil {
			hostPaths[v.Name] = v.HostPath.Path
		}
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	for name, want := range map[string][2]string{
		"state":          {"/var/lib/kvirt", "/var/lib/kvirt"},
		"device-plugins": {"/srv/kubelet/device-plugins", "/var/lib/kubelet/device-plugins"},
		"kubelet-pods":   {"/srv/kubelet/pods", "/var/lib/kubelet/pods"},
	} {
		if hostPaths[name] != want[0] || mounts[name] != want[1] {
			t.Errorf("volume %s: host %q mounted at %q, want %q at %q", name, hostPaths[name], mounts[name], want[0], want[1])
		}
	}
	for _, m := range c.VolumeMounts {
		if m.Name == "kubelet-pods" && (!m.ReadOnly || m.MountPropagation == nil ||
			*m.MountPropagation != corev1.MountPropagationHostToContainer) {
			t.Errorf("kubelet pods dir mounted %+v, want read only with HostToContainer propagation", m)
		}
	}
	if len(hostPaths) != 3 || !pod.HostPID {
		t.Errorf("hostPaths %v (want state, device-plugins, kubelet-pods), hostPID %v (want true)", hostPaths, pod.HostPID)
	}
	if ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.IntValue() != 1 {
		t.Errorf("update strategy %+v", ds.Spec.UpdateStrategy)
	}
	if i := slices.Index(c.Args, "--node-api-listen"); i < 0 || c.Args[i+1] != "$(NODE_IP):8186" {
		t.Errorf("args %v", c.Args)
	}
}

func TestDesired(t *testing.T) {
	objs, err := Desired(kubevirt(nil), testCfg)
	if err != nil {
		t.Fatal(err)
	}
	if ns, ok := objs[0].(*corev1.Namespace); !ok || ns.Labels["pod-security.kubernetes.io/enforce"] != "privileged" {
		t.Errorf("first object %T %v, want the privileged namespace", objs[0], objs[0].GetLabels())
	}
	kinds := map[string]int{}
	for _, o := range objs {
		kind := o.GetObjectKind().GroupVersionKind().Kind
		kinds[kind]++
		l := o.GetLabels()
		if l[ManagedByLabel] != ManagedByValue || l[PartOfLabel] != PartOfValue || l[InstallLabel] != "uid-1" {
			t.Errorf("%s %s labels %v", kind, o.GetName(), l)
		}
		switch o := o.(type) {
		case *apiextensionsv1.CustomResourceDefinition:
			if o.Name == KubeVirtCRDName {
				t.Errorf("the KubeVirt CRD belongs to the release manifest, not the install")
			}
		case *admissionregistrationv1.ValidatingWebhookConfiguration:
			for _, w := range o.Webhooks {
				if !bytes.Equal(w.ClientConfig.CABundle, testCfg.CABundle) || w.ClientConfig.Service.Namespace != "kubevirt" {
					t.Errorf("webhook %s client config %+v", w.Name, w.ClientConfig)
				}
			}
		case *apiregistrationv1.APIService:
			if !bytes.Equal(o.Spec.CABundle, testCfg.CABundle) || o.Spec.Service.Name != VirtAPI {
				t.Errorf("apiservice %+v", o.Spec)
			}
		}
	}
	for kind, n := range map[string]int{"CustomResourceDefinition": 10, "Deployment": 2, "DaemonSet": 1, "Service": 2,
		"ValidatingWebhookConfiguration": 1, "MutatingWebhookConfiguration": 1, "APIService": 1} {
		if kinds[kind] != n {
			t.Errorf("%d %s, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
}

func TestDeploymentID(t *testing.T) {
	base := DeploymentID(kubevirt(nil), testCfg)
	rotated := testCfg
	rotated.CABundle = []byte("other")
	if DeploymentID(kubevirt(nil), rotated) != base {
		t.Errorf("a certificate rotation changed the deployment ID")
	}
	emulated := kubevirt(func(kv *virtv1.KubeVirt) {
		kv.Spec.Configuration.DeveloperConfiguration = &virtv1.DeveloperConfiguration{UseEmulation: ptr.To(true)}
	})
	if DeploymentID(emulated, testCfg) == base {
		t.Errorf("a component change kept the deployment ID")
	}
}

func TestToDelete(t *testing.T) {
	objs, err := Desired(kubevirt(nil), testCfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		strategy string
		crds     bool
	}{{"", false}, {UninstallBlockIfWorkloadsExist, false}, {UninstallRemoveWorkloads, true}} {
		t.Run("strategy "+tc.strategy, func(t *testing.T) {
			del := ToDelete(kubevirt(func(kv *virtv1.KubeVirt) { kv.Spec.UninstallStrategy = tc.strategy }), objs)
			var kinds []string
			for _, o := range del {
				kinds = append(kinds, o.GetObjectKind().GroupVersionKind().Kind)
			}
			if slices.Contains(kinds, "Namespace") {
				t.Errorf("the namespace is deleted: %v", kinds)
			}
			if got := slices.Contains(kinds, "CustomResourceDefinition"); got != tc.crds {
				t.Errorf("CRDs deleted = %v, want %v", got, tc.crds)
			}
			if deleteRank(del[0]) != 0 || deleteRank(del[1]) != 0 || deleteRank(del[2]) != 0 {
				t.Errorf("registration is not deleted first: %v", kinds[:3])
			}
			// By name: the rbac package's objects need not carry a TypeMeta.
			if !slices.ContainsFunc(del, func(o Object) bool { return o.GetName() == VirtHandler }) ||
				!slices.ContainsFunc(del, func(o Object) bool { return o.GetName() == "kubevirt-handler" }) {
				t.Errorf("virt-handler or its ServiceAccount not deleted: %v", kinds)
			}
		})
	}
}

// TestKubevirtGroupServesV1alpha3 checks every kubevirt.io CRD (presets included)
// serves the deprecated v1alpha3 with v1's schema while v1 stays the storage version.
func TestKubevirtGroupServesV1alpha3(t *testing.T) {
	crds, err := CRDs()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range crds {
		if c.Spec.Group != virtv1.GroupName {
			continue
		}
		seen[c.Spec.Names.Kind] = true
		if len(c.Spec.Versions) != 2 {
			t.Errorf("%s: %d versions", c.Name, len(c.Spec.Versions))
			continue
		}
		v1, alpha := c.Spec.Versions[0], c.Spec.Versions[1]
		if v1.Name != "v1" || !v1.Served || !v1.Storage || alpha.Name != virtv1.DeprecatedVersion || !alpha.Served || alpha.Storage || !alpha.Deprecated {
			t.Errorf("%s: versions %s(served=%v storage=%v) %s(served=%v storage=%v deprecated=%v)", c.Name,
				v1.Name, v1.Served, v1.Storage, alpha.Name, alpha.Served, alpha.Storage, alpha.Deprecated)
		}
		alpha.Name, alpha.Storage, alpha.Deprecated, alpha.DeprecationWarning = v1.Name, v1.Storage, v1.Deprecated, v1.DeprecationWarning
		if !equality.Semantic.DeepEqual(v1, alpha) {
			t.Errorf("%s: v1alpha3 differs from v1 beyond name, storage and deprecation", c.Name)
		}
		if c.Spec.Conversion != nil && c.Spec.Conversion.Strategy != apiextensionsv1.NoneConverter {
			t.Errorf("%s: conversion %s", c.Name, c.Spec.Conversion.Strategy)
		}
	}
	for _, kind := range []string{"VirtualMachine", "VirtualMachineInstance", "VirtualMachineInstanceMigration",
		"VirtualMachineInstanceReplicaSet", "VirtualMachineInstancePreset", "KubeVirt"} {
		if !seen[kind] {
			t.Errorf("no CRD for %s", kind)
		}
	}
}

// TestHeartbeatTimeoutAnnotation: the KubeVirt CR's kvirt.io/node-heartbeat-timeout
// reaches virt-controller as its timeout and virt-handler as a fifth of it (at
// most a minute); unset or invalid values leave both at their defaults.
func TestHeartbeatTimeoutAnnotation(t *testing.T) {
	for _, tc := range []struct{ value, timeout, interval string }{
		{"90s", "1m30s", "18s"}, {"10m", "10m0s", "1m0s"}, {"", "", ""}, {"10s", "", ""}, {"soon", "", ""},
	} {
		_, ctrl, handler := components(t, kubevirt(func(kv *virtv1.KubeVirt) {
			if tc.value != "" {
				kv.Annotations = map[string]string{virtv1.NodeHeartbeatTimeoutAnnotation: tc.value}
			}
		}))
		flag := func(args []string, name string) string {
			if i := slices.Index(args, name); i >= 0 {
				return args[i+1]
			}
			return ""
		}
		if got := flag(ctrl.Spec.Template.Spec.Containers[0].Args, "--node-heartbeat-timeout"); got != tc.timeout {
			t.Errorf("%q: controller timeout %q, want %q", tc.value, got, tc.timeout)
		}
		if got := flag(handler.Spec.Template.Spec.Containers[0].Args, "--heartbeat-interval"); got != tc.interval {
			t.Errorf("%q: handler interval %q, want %q", tc.value, got, tc.interval)
		}
	}
}

// TestMigrationLimits: spec.configuration.migrations' parallel limits reach
// virt-controller as flags; unset ones (and values below 1) leave its defaults.
func TestMigrationLimits(t *testing.T) {
	for _, tc := range []struct {
		cluster, node *int64
		want          []string
	}{
		{nil, nil, nil},
		{ptr.To[int64](1), nil, []string{"--parallel-migrations-per-cluster", "1"}},
		{ptr.To[int64](10), ptr.To[int64](3), []string{"--parallel-migrations-per-cluster", "10",
			"--parallel-outbound-migrations-per-node", "3"}},
		{ptr.To[int64](0), nil, nil},
	} {
		_, ctrl, _ := components(t, kubevirt(func(kv *virtv1.KubeVirt) {
			kv.Spec.Configuration.Migrations = &virtv1.MigrationConfiguration{
				ParallelMigrationsPerCluster: tc.cluster, ParallelOutboundMigrationsPerNode: tc.node}
		}))
		args := ctrl.Spec.Template.Spec.Containers[0].Args
		var got []string
		for i, a := range args {
			if strings.HasPrefix(a, "--parallel-") {
				got = append(got, a, args[i+1])
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("limits %v/%v: flags %v, want %v", tc.cluster, tc.node, got, tc.want)
		}
	}
}
