package launcherpod

import (
	"hash/fnv"
	"path/filepath"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// Where the VMI's own volumes appear in the compute container.
const (
	// VolumeMountPath holds one directory per filesystem-mode claim (the disk
	// is disk.img in it) or hostDisk (the image's host directory).
	VolumeMountPath = PrivateMountPath + "/vmi-disks"
	// BlockDevicePath holds one device node per block-mode claim.
	BlockDevicePath = "/dev"
	// ConfigVolumeMountPath holds one directory per configMap, secret,
	// serviceAccount or downwardAPI volume; the launcher turns each into an ISO.
	ConfigVolumeMountPath = PrivateMountPath + "/config-volumes"
)

// Claim is what the launcher pod needs of a bound PersistentVolumeClaim.
type Claim struct {
	// Block is a Block-mode claim: a device, not a filesystem.
	Block bool
	// Capacity is the bound volume's size in bytes (the claim's
	// status.capacity), 0 when unknown.
	Capacity int64
}

// ClaimModes holds, per claim name, what the pod needs of the claim; a claim
// not listed is mounted as a filesystem of unknown size.
type ClaimModes map[string]Claim

// claimOf is the claim a volume mounts and whether it is read-only.
func claimOf(v *virtv1.Volume) (name string, readOnly, ok bool) {
	switch {
	case v.PersistentVolumeClaim != nil:
		ro := v.PersistentVolumeClaim.ReadOnly != nil && *v.PersistentVolumeClaim.ReadOnly
		return v.PersistentVolumeClaim.ClaimName, ro, true
	case v.DataVolume != nil:
		// A DataVolume's claim has the DataVolume's name.
		return v.DataVolume.Name, false, true
	case v.Ephemeral != nil && v.Ephemeral.PersistentVolumeClaim != nil:
		// The guest writes to an overlay: the claim is only read.
		return v.Ephemeral.PersistentVolumeClaim.ClaimName, true, true
	}
	return "", false, false
}

// Claims are the names of the claims the VMI's volumes mount.
func Claims(spec *virtv1.VirtualMachineInstanceSpec) []string {
	var out []string
	for i := range spec.Volumes {
		if name, _, ok := claimOf(&spec.Volumes[i]); ok {
			out = append(out, name)
		}
	}
	return out
}

// podVolumeName keeps a VMI volume apart from the pod's own volumes and
// within the 63 characters of a pod volume name.
func podVolumeName(name string) string {
	n := "vol-" + name
	if len(n) <= 63 {
		return n
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return "vol-" + name[:40] + "-" + strconv.FormatUint(h.Sum64(), 36)
}

// vmiVolumes renders the pod side of the VMI's claim, hostDisk and config
// volumes: the pod volumes, the compute container's mounts and devices.
func vmiVolumes(vmi *virtv1.VirtualMachineInstance, modes ClaimModes) (
	[]corev1.Volume, []corev1.VolumeMount, []corev1.VolumeDevice) {
	var vols []corev1.Volume
	var mounts []corev1.VolumeMount
	var devices []corev1.VolumeDevice
	for i := range vmi.Spec.Volumes {
		v := &vmi.Spec.Volumes[i]
		name := podVolumeName(v.Name)
		if claim, ro, ok := claimOf(v); ok {
			vols = append(vols, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim, ReadOnly: ro}}})
			if modes[claim].Block {
				devices = append(devices, corev1.VolumeDevice{Name: name, DevicePath: filepath.Join(BlockDevicePath, v.Name)})
			} else {
				mounts = append(mounts, corev1.VolumeMount{Name: name, MountPath: filepath.Join(VolumeMountPath, v.Name), ReadOnly: ro})
			}
			continue
		}
		if v.HostDisk != nil {
			vols = append(vols, hostDiskVolume(name, v.HostDisk))
			mounts = append(mounts, corev1.VolumeMount{Name: name, MountPath: filepath.Join(VolumeMountPath, v.Name)})
			continue
		}
		if src, ok := configSource(v); ok {
			vols = append(vols, corev1.Volume{Name: name, VolumeSource: src})
			mounts = append(mounts, corev1.VolumeMount{Name: name, MountPath: filepath.Join(ConfigVolumeMountPath, v.Name), ReadOnly: true})
		}
		for _, s := range cloudInitSecrets(v) {
			n := podVolumeName(v.Name + "-" + s.kind)
			vols = append(vols, corev1.Volume{Name: n, VolumeSource: corev1.VolumeSource{
				Secret: &corev1.SecretVolumeSource{SecretName: s.secret}}})
			mounts = append(mounts, corev1.VolumeMount{Name: n, MountPath: CloudInitSecretDir(v.Name, s.kind), ReadOnly: true})
		}
	}
	return vols, mounts, devices
}

// claimCapacityArgs tell the launcher each writable filesystem claim's
// capacity, which the disk.img it creates in an empty claim does not exceed
// (the volume may be a directory of a larger filesystem).
func claimCapacityArgs(vmi *virtv1.VirtualMachineInstance, modes ClaimModes) []string {
	var args []string
	for i := range vmi.Spec.Volumes {
		v := &vmi.Spec.Volumes[i]
		claim, ro, ok := claimOf(v)
		if c := modes[claim]; ok && !ro && !c.Block && c.Capacity > 0 {
			args = append(args, "--claim-capacity", v.Name+"="+strconv.FormatInt(c.Capacity, 10))
		}
	}
	return args
}

func hostDiskVolume(name string, h *virtv1.HostDisk) corev1.Volume {
	t := corev1.HostPathDirectory
	if h.Type == "DiskOrCreate" {
		t = corev1.HostPathDirectoryOrCreate
	}
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
		HostPath: &corev1.HostPathVolumeSource{Path: filepath.Dir(h.Path), Type: &t}}}
}

// configSource is the pod volume projecting a configMap, secret,
// serviceAccount or downwardAPI volume's files.
func configSource(v *virtv1.Volume) (corev1.VolumeSource, bool) {
	switch {
	case v.ConfigMap != nil:
		return corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: v.ConfigMap.Name}, Optional: v.ConfigMap.Optional}}, true
	case v.Secret != nil:
		return corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: v.Secret.SecretName, Optional: v.Secret.Optional}}, true
	case v.DownwardAPI != nil:
		return corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: v.DownwardAPI.Fields}}, true
	case v.ServiceAccount != nil:
		return serviceAccountSource(), true
	}
	return corev1.VolumeSource{}, false
}

// serviceAccountSource projects what the kubelet mounts for a service account
// (token, cluster CA, namespace); the pod runs as the volume's account.
func serviceAccountSource() corev1.VolumeSource {
	return corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
		{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
		{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
			Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
		{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{
			{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
	}}}
}

// Kinds of the Secrets a cloud-init volume reads.
const (
	CloudInitUserData    = "userdata"
	CloudInitNetworkData = "networkdata"
)

// CloudInitSecretDir is where the Secret a cloud-init volume reads its user
// data (kind CloudInitUserData) or network data from is mounted. A volume name
// has no dot, so the directory is no other volume's.
func CloudInitSecretDir(volume, kind string) string {
	return filepath.Join(ConfigVolumeMountPath, volume+"."+kind)
}

type cloudInitSecret struct{ kind, secret string }

// cloudInitSecrets are the Secrets a cloudInitNoCloud or cloudInitConfigDrive
// volume reads its data from (secretRef, networkDataSecretRef).
func cloudInitSecrets(v *virtv1.Volume) []cloudInitSecret {
	var user, network *corev1.LocalObjectReference
	switch {
	case v.CloudInitNoCloud != nil:
		user, network = v.CloudInitNoCloud.SecretRef, v.CloudInitNoCloud.NetworkDataSecretRef
	case v.CloudInitConfigDrive != nil:
		user, network = v.CloudInitConfigDrive.SecretRef, v.CloudInitConfigDrive.NetworkDataSecretRef
	}
	var out []cloudInitSecret
	if user != nil {
		out = append(out, cloudInitSecret{CloudInitUserData, user.Name})
	}
	if network != nil {
		out = append(out, cloudInitSecret{CloudInitNetworkData, network.Name})
	}
	return out
}

// serviceAccountName is the account a serviceAccount volume asks for, else the spec's.
func serviceAccountName(spec *virtv1.VirtualMachineInstanceSpec) string {
	for i := range spec.Volumes {
		if sa := spec.Volumes[i].ServiceAccount; sa != nil && sa.ServiceAccountName != "" {
			return sa.ServiceAccountName
		}
	}
	return spec.ServiceAccountName
}
