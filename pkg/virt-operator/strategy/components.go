package strategy

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	virtv1 "kvirt.io/api/core/v1"
)

// Ports and the replica count of the Deployments.
const (
	VirtAPIPort        = 8443
	VirtControllerPort = 8090
	VirtHandlerNodeAPI = 8186
	// VirtHandlerHealthPort serves virt-handler's /healthz on the node's address.
	VirtHandlerHealthPort = 8187
	// VirtHandlerMetricsPort serves virt-handler's TLS /metrics on the node's address.
	VirtHandlerMetricsPort = 8443
	defaultReplicas        = 2
	// VirtAPIReadinessPath: the contract names /readyz, but virt-api serves only
	// /healthz today; switch once virt-api serves /readyz.
	VirtAPIReadinessPath  = "/healthz"
	handlerGracePeriod    = 30
	devicePluginMountPath = "/var/lib/kubelet/device-plugins"
	// kubeletPodsMountPath is where virt-handler sees the kubelet's pod
	// directory (read only): it reaches each launcher's socket emptyDir there.
	kubeletPodsMountPath = "/var/lib/kubelet/pods"
)

// Names of the certificate Secrets and the CA bundle ConfigMap (the contract with
// the certs package, which issues them).
const (
	CAName                 = "kubevirt-ca"
	VirtAPICertsName       = "kubevirt-virt-api-certs"
	HandlerServerCertsName = "kubevirt-virt-handler-server-certs"
	HandlerClientCertsName = "kubevirt-virt-handler-certs"
	UploadProxyCertsName   = "kubevirt-upload-proxy-certs"
	CABundleKey            = "ca-bundle"
)

// CertificateObjects are the Secrets and the ConfigMap the certificates live in,
// named only (for observing and deleting them).
func CertificateObjects(ns string) (secrets []*corev1.Secret, bundle *corev1.ConfigMap) {
	for _, n := range []string{CAName, VirtAPICertsName, HandlerServerCertsName, HandlerClientCertsName, UploadProxyCertsName} {
		secrets = append(secrets, &corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: n}})
	}
	bundle = &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: CAName}}
	return secrets, bundle
}

func deployment(kv *virtv1.KubeVirt, ns, name string, pod corev1.PodSpec) *appsv1.Deployment {
	replicas := int32(defaultReplicas)
	if kv != nil && kv.Spec.Infra != nil && kv.Spec.Infra.Replicas != nil {
		replicas = int32(*kv.Spec.Infra.Replicas)
	}
	sel := map[string]string{ComponentLabel: name}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{ComponentLabel: name}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels(name)}, Spec: pod},
		},
	}
}

// podLabels are a component pod's labels: its component, the install labels and
// PrometheusLabel (Prometheus scrapes every such pod).
func podLabels(component string) map[string]string {
	return withInstallLabels(map[string]string{ComponentLabel: component, PrometheusLabel: "true"}, nil)
}

func podBase(kv *virtv1.KubeVirt, sa string) corev1.PodSpec {
	p := corev1.PodSpec{ServiceAccountName: sa}
	if kv != nil {
		p.ImagePullSecrets = kv.Spec.ImagePullSecrets
	}
	return p
}

func secretVolume(name, secret string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: secret}}}
}

func caVolume(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: CAName},
	}}}
}

func hostPathVolume(name, path string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
		Path: path, Type: ptr.To(corev1.HostPathDirectoryOrCreate),
	}}}
}

func mount(name, path string, readOnly bool) corev1.VolumeMount {
	return corev1.VolumeMount{Name: name, MountPath: path, ReadOnly: readOnly}
}

var podNamespaceEnv = corev1.EnvVar{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{
	FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"},
}}

func virtAPIDeployment(kv *virtv1.KubeVirt, cfg Config, images Images) *appsv1.Deployment {
	pod := podBase(kv, "kubevirt-apiserver")
	pod.Volumes = []corev1.Volume{
		secretVolume("server-certs", VirtAPICertsName),
		secretVolume("handler-client-certs", HandlerClientCertsName),
		secretVolume("upload-proxy-certs", UploadProxyCertsName),
		caVolume("ca-bundle"),
	}
	pod.Containers = []corev1.Container{{
		Name: VirtAPI, Image: images.API, ImagePullPolicy: pullPolicy(kv),
		Args: []string{
			"--port", "8443",
			"--tls-cert-file", "/etc/virt-api/certificates/tls.crt",
			"--tls-private-key-file", "/etc/virt-api/certificates/tls.key",
			"--handler-client-cert", "/etc/virt-handler-client/tls.crt",
			"--handler-client-key", "/etc/virt-handler-client/tls.key",
			"--handler-ca", "/etc/virt-api/ca/ca-bundle",
			"--handler-namespace", cfg.Namespace,
			"--install-namespace", cfg.Namespace,
			"--upload-client-cert", "/etc/virt-api/upload-proxy/tls.crt",
			"--upload-client-key", "/etc/virt-api/upload-proxy/tls.key",
		},
		Env:   []corev1.EnvVar{podNamespaceEnv},
		Ports: []corev1.ContainerPort{{Name: "https", ContainerPort: VirtAPIPort, Protocol: corev1.ProtocolTCP}},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: VirtAPIReadinessPath, Port: intstr.FromInt32(VirtAPIPort), Scheme: corev1.URISchemeHTTPS,
		}}, PeriodSeconds: 5},
		VolumeMounts: []corev1.VolumeMount{
			mount("server-certs", "/etc/virt-api/certificates", true),
			mount("handler-client-certs", "/etc/virt-handler-client", true),
			mount("upload-proxy-certs", "/etc/virt-api/upload-proxy", true),
			mount("ca-bundle", "/etc/virt-api/ca", true),
		},
	}}
	Restrict(&pod)
	placeInfra(kv, &pod)
	return deployment(kv, cfg.Namespace, VirtAPI, pod)
}

// VirtAPIService is the Service webhooks and the APIService reach virt-api through.
func VirtAPIService(ns string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: VirtAPI, Labels: map[string]string{ComponentLabel: VirtAPI}},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{ComponentLabel: VirtAPI},
			Ports: []corev1.ServicePort{{Name: "https", Port: 443, TargetPort: intstr.FromInt32(VirtAPIPort),
				Protocol: corev1.ProtocolTCP}},
		},
	}
}

func virtControllerDeployment(kv *virtv1.KubeVirt, cfg Config, images Images) *appsv1.Deployment {
	args := []string{"--launcher-image", images.Launcher, "--leader-elect-namespace", cfg.Namespace,
		"--upload-client-ca", "/etc/virt-controller/ca/ca-bundle"}
	if useEmulation(kv) {
		args = append(args, "--allow-emulation")
	}
	if serialConsoleLogDisabled(kv) {
		args = append(args, "--disable-serial-console-log")
	}
	if v := launcherVerbosity(kv); v != nil {
		args = append(args, "--launcher-verbosity", strconv.Itoa(int(*v)))
	}
	if t, ok := heartbeatTimeout(kv); ok {
		args = append(args, "--node-heartbeat-timeout", t.String())
	}
	args = append(args, migrationLimitArgs(kv)...)
	args = append(args, dataVolumeControllerArgs(cfg, images)...)
	pod := podBase(kv, "kubevirt-controller")
	// The CA bundle goes into DataVolume upload pods (their client CA).
	pod.Volumes = []corev1.Volume{caVolume("ca-bundle")}
	pod.Containers = []corev1.Container{{
		Name: VirtController, Image: images.Controller, ImagePullPolicy: pullPolicy(kv), Args: args,
		Env:   []corev1.EnvVar{podNamespaceEnv},
		Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: VirtControllerPort, Protocol: corev1.ProtocolTCP}},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: "/healthz", Port: intstr.FromInt32(VirtControllerPort), Scheme: corev1.URISchemeHTTP,
		}}, PeriodSeconds: 5},
		VolumeMounts: []corev1.VolumeMount{mount("ca-bundle", "/etc/virt-controller/ca", true)},
	}}
	Restrict(&pod)
	placeInfra(kv, &pod)
	return deployment(kv, cfg.Namespace, VirtController, pod)
}

// placeInfra applies spec.infra.nodePlacement to a control-plane component's pod.
func placeInfra(kv *virtv1.KubeVirt, pod *corev1.PodSpec) {
	if kv != nil && kv.Spec.Infra != nil {
		place(kv.Spec.Infra.NodePlacement, pod)
	}
}

// place applies a nodePlacement: node selector, affinity, extra tolerations.
func place(p *virtv1.NodePlacement, pod *corev1.PodSpec) {
	if p == nil {
		return
	}
	pod.NodeSelector = p.NodeSelector
	pod.Affinity = p.Affinity
	pod.Tolerations = append(pod.Tolerations, p.Tolerations...)
}

func virtHandlerDaemonSet(kv *virtv1.KubeVirt, cfg Config, images Images) *appsv1.DaemonSet {
	kubeletRoot := cfg.KubeletRootDir
	if kubeletRoot == "" {
		kubeletRoot = DefaultKubeletRootDir
	}
	podsDir := cfg.KubeletPodsDir
	if podsDir == "" {
		podsDir = kubeletRoot + "/pods"
	}
	pod := podBase(kv, "kubevirt-handler")
	// hostPID: SO_PEERCRED names a launcher in the node's pid namespace, and the
	// handler reads that process's cgroup to tell which pod it belongs to.
	pod.HostNetwork, pod.HostPID = true, true
	pod.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	pod.TerminationGracePeriodSeconds = ptr.To[int64](handlerGracePeriod)
	pod.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	pod.Volumes = []corev1.Volume{
		caVolume("ca-bundle"),
		hostPathVolume("state", "/var/lib/kvirt"),
		hostPathVolume("device-plugins", kubeletRoot+"/device-plugins"),
		{Name: "kubelet-pods", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
			Path: podsDir, Type: ptr.To(corev1.HostPathDirectory),
		}}},
	}
	pod.Containers = []corev1.Container{handlerContainer(kv, images)}
	if kv != nil && kv.Spec.Workloads != nil {
		place(kv.Spec.Workloads.NodePlacement, &pod) // virt-handler runs where the VMs run
	}
	sel := map[string]string{ComponentLabel: VirtHandler}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Namespace: cfg.Namespace, Name: VirtHandler, Labels: map[string]string{ComponentLabel: VirtHandler}},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels(VirtHandler)}, Spec: pod},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr.To(intstr.FromInt32(1))}},
		},
	}
}

// handlerProbe gets virt-handler's path every period seconds, each
// within timeout seconds, failing after failures misses in a row.
func handlerProbe(path string, period, timeout, failures int32) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
		Path: path, Port: intstr.FromInt32(VirtHandlerHealthPort), Scheme: corev1.URISchemeHTTP,
	}}, PeriodSeconds: period, TimeoutSeconds: timeout, FailureThreshold: failures}
}

func handlerContainer(kv *virtv1.KubeVirt, images Images) corev1.Container {
	fieldEnv := func(name, path string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}}
	}
	args := []string{
		"--node-name", "$(NODE_NAME)",
		"--node-api-listen", "$(NODE_IP):8186",
		"--node-api-advertise-address", "$(NODE_IP):8186",
		// Its own node's certificate, through signer kubevirt.io/node-api
		// (kept under /var/lib/kvirt/node-api).
		"--node-api-csr", "--install-namespace", "$(POD_NAMESPACE)",
		"--node-api-client-ca", "/etc/virt-handler/ca/ca-bundle",
		"--device-plugin-dir", devicePluginMountPath,
		"--kubelet-pods-dir", kubeletPodsMountPath,
		"--health-listen", fmt.Sprintf("$(NODE_IP):%d", VirtHandlerHealthPort),
		"--metrics-listen", fmt.Sprintf("$(NODE_IP):%d", VirtHandlerMetricsPort),
	}
	if t, ok := heartbeatTimeout(kv); ok {
		args = append(args, "--heartbeat-interval", heartbeatInterval(t).String())
	}
	return corev1.Container{
		Name: VirtHandler, Image: images.Handler, ImagePullPolicy: pullPolicy(kv), Args: args,
		Ports: []corev1.ContainerPort{{Name: "https-metrics", ContainerPort: VirtHandlerMetricsPort, Protocol: corev1.ProtocolTCP}},
		// On the host network the kubelet probes the node's address. /readyz
		// waits for the node API certificate; a slow signer only delays it.
		ReadinessProbe: handlerProbe("/readyz", 5, 5, 3),
		// /healthz answers once the accelerator is chosen and the state store
		// open: the first start on a TCG machine may take minutes, so the
		// startup probe allows 10 of them before liveness takes over and
		// restarts a handler that stopped answering for a minute.
		StartupProbe:  handlerProbe("/healthz", 10, 5, 60),
		LivenessProbe: handlerProbe("/healthz", 10, 5, 6),
		Env:           []corev1.EnvVar{fieldEnv("NODE_NAME", "spec.nodeName"), fieldEnv("NODE_IP", "status.hostIP"), podNamespaceEnv},
		SecurityContext: &corev1.SecurityContext{
			Privileged: ptr.To(true), RunAsUser: ptr.To[int64](0),
		},
		VolumeMounts: []corev1.VolumeMount{
			mount("ca-bundle", "/etc/virt-handler/ca", true),
			mount("state", "/var/lib/kvirt", false),
			mount("device-plugins", devicePluginMountPath, false),
			// HostToContainer: emptyDirs of pods started later (a tmpfs with
			// medium Memory is a mount of its own) show up here.
			{Name: "kubelet-pods", MountPath: kubeletPodsMountPath, ReadOnly: true,
				MountPropagation: ptr.To(corev1.MountPropagationHostToContainer)},
		},
	}
}

// migrationLimitArgs are virt-controller's flags for the parallel migration
// limits set in spec.configuration.migrations (virt-controller's defaults are
// upstream's 5 and 2). Values below 1 are refused at admission and left out here.
func migrationLimitArgs(kv *virtv1.KubeVirt) []string {
	if kv == nil || kv.Spec.Configuration.Migrations == nil {
		return nil
	}
	m := kv.Spec.Configuration.Migrations
	var args []string
	if n := m.ParallelMigrationsPerCluster; n != nil && *n >= 1 {
		args = append(args, "--parallel-migrations-per-cluster", strconv.FormatInt(*n, 10))
	}
	if n := m.ParallelOutboundMigrationsPerNode; n != nil && *n >= 1 {
		args = append(args, "--parallel-outbound-migrations-per-node", strconv.FormatInt(*n, 10))
	}
	return args
}
