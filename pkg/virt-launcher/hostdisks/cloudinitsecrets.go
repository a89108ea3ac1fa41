package hostdisks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// secretData reads a cloud-init Secret's value, which the launcher pod mounts
// at ConfigDir/<volume>.<kind>, under either of upstream's keys.
func secretData(l Layout, volume, kind string, ref *corev1.LocalObjectReference, keys ...string) (string, error) {
	dir := filepath.Join(l.ConfigDir, volume+"."+kind)
	for _, k := range keys {
		raw, err := os.ReadFile(filepath.Join(dir, k))
		if err == nil {
			return string(raw), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("volume %q: read Secret %s: %w", volume, ref.Name, err)
		}
	}
	return "", fmt.Errorf("volume %q: Secret %s has no %s key (%v)", volume, ref.Name, kind, keys)
}

// noCloudFromSecrets is src with the data its Secrets hold inlined.
func noCloudFromSecrets(l Layout, volume string, src *virtv1.CloudInitNoCloudSource) (*virtv1.CloudInitNoCloudSource, error) {
	out := src.DeepCopy()
	var err error
	if ref := src.SecretRef; ref != nil {
		out.SecretRef, out.UserDataBase64 = nil, ""
		if out.UserData, err = secretData(l, volume, "userdata", ref, "userdata", "userData"); err != nil {
			return nil, err
		}
	}
	if ref := src.NetworkDataSecretRef; ref != nil {
		out.NetworkDataSecretRef, out.NetworkDataBase64 = nil, ""
		if out.NetworkData, err = secretData(l, volume, "networkdata", ref, "networkdata", "networkData"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// configDriveFromSecrets is src with the data its Secrets hold inlined.
func configDriveFromSecrets(l Layout, volume string, src *virtv1.CloudInitConfigDriveSource) (*virtv1.CloudInitConfigDriveSource, error) {
	nc, err := noCloudFromSecrets(l, volume, &virtv1.CloudInitNoCloudSource{
		SecretRef: src.SecretRef, NetworkDataSecretRef: src.NetworkDataSecretRef})
	if err != nil {
		return nil, err
	}
	out := src.DeepCopy()
	if src.SecretRef != nil {
		out.SecretRef, out.UserDataBase64, out.UserData = nil, "", nc.UserData
	}
	if src.NetworkDataSecretRef != nil {
		out.NetworkDataSecretRef, out.NetworkDataBase64, out.NetworkData = nil, "", nc.NetworkData
	}
	return out, nil
}
