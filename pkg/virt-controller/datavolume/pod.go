package datavolume

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
	"kvirt.io/kvirt/pkg/certs"
	"kvirt.io/kvirt/pkg/uploadcontract"
)

// The importer pod contract shared with cmd/kvirt-importer.
const (
	ContainerName       = "importer"
	ProgressPortName    = "progress"
	DefaultProgressPort = 8443
	// DefaultImporterImage is the importer image when none is configured.
	DefaultImporterImage = "kvirt.local/importer:latest"
	// AnnAttempt on a transfer pod is status.restartCount when it was created,
	// so a failed pod is counted once however often it is seen.
	AnnAttempt = "kvirt.io/datavolume-attempt"

	dataVolumeName   = "cdi-data-vol"
	sourceVolumeName = "cdi-source-vol"
	certVolumeName   = "cdi-cert-vol"
	scratchName      = "cdi-scratch-vol"
	uploadTLSName    = "cdi-upload-tls"
	uploadTLSDir     = "/tls"
	scratchDir       = "/scratch"
	dataDir          = "/data"
	dataImage        = "/data/disk.img"
	dataDevice       = "/dev/cdi-block-volume"
	sourceDir        = "/source"
	sourceImage      = "/source/disk.img"
	sourceDevice     = "/dev/cdi-source-block"
	certDir          = "/certs"
	envAccessKey     = "IMPORTER_ACCESS_KEY_ID"
	envSecretKey     = "IMPORTER_SECRET_KEY"
	secretAccessKey  = "accessKeyId"
	secretSecretKey  = "secretKey"
	importerUID      = int64(107)
)

// PodConfig is the cluster configuration transfer pods are rendered with.
type PodConfig struct {
	// Image is the importer image (kvirt.local/importer:<tag>).
	Image string
	// ProgressPort is where the importer serves GET /progress.
	ProgressPort int32
	// FilesystemOverhead is the share of a Filesystem claim left to the filesystem.
	FilesystemOverhead float64
}

// PodName is the name of a DataVolume's transfer pod: CDI's importer-<name>,
// or cdi-upload-<name> for an upload server.
func PodName(dv *cdiv1beta1.DataVolume, src Source) string {
	if src.Kind == SourceUpload {
		return uploadcontract.PodPrefix + dv.Name
	}
	return "importer-" + dv.Name
}

// Pod renders the transfer pod that fills claim from src: the importer,
// unprivileged (UID 107, no capabilities, read-only root filesystem, an
// emptyDir scratch directory at /scratch), never restarted by the kubelet
// (the controller replaces a failed pod after a backoff), controlled by dv.
// sourceClaim is a clone's source, nil otherwise; attempt is recorded in
// AnnAttempt.
func Pod(dv *cdiv1beta1.DataVolume, claim *corev1.PersistentVolumeClaim, src Source, sourceClaim *corev1.PersistentVolumeClaim,
	attempt int32, cfg PodConfig) *corev1.Pod {
	t, f := true, false
	uid := importerUID
	ctr := corev1.Container{
		Name:  ContainerName,
		Image: cfg.Image,
		Args:  importerArgs(dv, claim, src, sourceClaim, cfg),
		Ports: []corev1.ContainerPort{{Name: ProgressPortName, ContainerPort: cfg.ProgressPort, Protocol: corev1.ProtocolTCP}},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("60Mi"),
		}},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		SecurityContext: &corev1.SecurityContext{
			RunAsUser: &uid, RunAsNonRoot: &t, AllowPrivilegeEscalation: &f, ReadOnlyRootFilesystem: &t,
			Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
		Env: secretEnv(src.SecretRef),
	}
	volumes := []corev1.Volume{claimVolume(dataVolumeName, claim.Name, false)}
	attach(&ctr, dataVolumeName, IsBlock(claim), dataDir, dataDevice, false)
	if sourceClaim != nil {
		volumes = append(volumes, claimVolume(sourceVolumeName, sourceClaim.Name, true))
		attach(&ctr, sourceVolumeName, IsBlock(sourceClaim), sourceDir, sourceDevice, true)
	}
	if src.CertConfigMap != "" {
		volumes = append(volumes, corev1.Volume{Name: certVolumeName, VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: src.CertConfigMap}}}})
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: certVolumeName, MountPath: certDir, ReadOnly: true})
	}
	if src.Kind == SourceUpload {
		// The controller issues this Secret (upload.go) before it creates the pod.
		volumes = append(volumes, corev1.Volume{Name: uploadTLSName, VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: UploadTLSSecretName(dv)}}})
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: uploadTLSName, MountPath: uploadTLSDir, ReadOnly: true})
	}
	// Scratch space for a download qemu-img converts (the importer needs it for
	// Block destinations; a Filesystem one falls back to the claim).
	volumes = append(volumes, corev1.Volume{Name: scratchName, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: scratchName, MountPath: scratchDir})
	labels := map[string]string{LabelApp: LabelAppValue}
	if v, ok := importPVCLabel(claim.Name); ok {
		labels[LabelImportPVC] = v
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: PodName(dv, src), Namespace: dv.Namespace, Labels: labels,
			Annotations: map[string]string{AnnAttempt: strconv.Itoa(int(attempt))},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: cdiv1beta1.SchemeGroupVersion.String(), Kind: cdiv1beta1.DataVolumeKind,
				Name: dv.Name, UID: dv.UID, Controller: &t, BlockOwnerDeletion: &t,
			}},
		},
		Spec: corev1.PodSpec{
			RestartPolicy:     corev1.RestartPolicyNever,
			PriorityClassName: dv.Spec.PriorityClassName,
			SecurityContext: &corev1.PodSecurityContext{
				RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid, RunAsNonRoot: &t,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{ctr},
			Volumes:    volumes,
		},
	}
}

func importerArgs(dv *cdiv1beta1.DataVolume, claim *corev1.PersistentVolumeClaim, src Source, sourceClaim *corev1.PersistentVolumeClaim,
	cfg PodConfig) []string {
	dest := dataImage
	if IsBlock(claim) {
		dest = dataDevice
	}
	args := []string{"--source=" + string(src.Kind)}
	if src.Kind == SourceHTTP || src.Kind == SourceRegistry {
		args = append(args, "--endpoint="+src.Endpoint)
	}
	args = append(args,
		"--dest="+dest,
		"--image-size="+strconv.FormatInt(ImageSize(claim, cfg.FilesystemOverhead), 10),
		"--content-type="+contentType(dv))
	if src.CertConfigMap != "" {
		args = append(args, "--cert-dir="+certDir)
	}
	if sourceClaim != nil {
		path := sourceImage
		if IsBlock(sourceClaim) {
			path = sourceDevice
		}
		args = append(args, "--source-path="+path)
	}
	if src.Kind == SourceUpload {
		// The upload server serves /progress on its TLS port.
		return append(args, fmt.Sprintf("--upload-listen=:%d", cfg.ProgressPort),
			"--tls-cert="+uploadTLSDir+"/tls.crt", "--tls-key="+uploadTLSDir+"/tls.key",
			"--client-ca="+uploadTLSDir+"/ca.crt", "--client-name="+certs.UploadProxyCommonName)
	}
	return append(args, fmt.Sprintf("--progress-listen=:%d", cfg.ProgressPort))
}

// UploadTLSSecretName is the name prefix of the kubernetes.io/tls Secrets an
// upload server pod mounts at /tls: <pod name>-tls (prepareUploadPod adds the
// certificate's fingerprint and points the pod at that Secret).
func UploadTLSSecretName(dv *cdiv1beta1.DataVolume) string {
	return PodName(dv, Source{Kind: SourceUpload}) + "-tls"
}

func claimVolume(name, claim string, readOnly bool) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim, ReadOnly: readOnly}}}
}

// attach mounts a Filesystem claim at dir or exposes a Block claim at device.
func attach(ctr *corev1.Container, volume string, block bool, dir, device string, readOnly bool) {
	if block {
		ctr.VolumeDevices = append(ctr.VolumeDevices, corev1.VolumeDevice{Name: volume, DevicePath: device})
		return
	}
	ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: volume, MountPath: dir, ReadOnly: readOnly})
}

// secretEnv passes CDI's credentials Secret (accessKeyId, secretKey) as the
// importer's environment.
func secretEnv(secret string) []corev1.EnvVar {
	if secret == "" {
		return nil
	}
	ref := func(key string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key}}
	}
	return []corev1.EnvVar{
		{Name: envAccessKey, ValueFrom: ref(secretAccessKey)},
		{Name: envSecretKey, ValueFrom: ref(secretSecretKey)},
	}
}
