package cloudinit

import (
	"bytes"
	"encoding/json"
	"fmt"

	virtv1 "kvirt.io/api/core/v1"
)

// ConfigDriveLabel is the volume label cloud-init's ConfigDrive source looks for.
const ConfigDriveLabel = "config-2"

// ConfigDriveISO builds the OpenStack config drive of a cloudInitConfigDrive
// volume: openstack/latest/{meta_data.json,user_data,network_data.json} on an
// ISO 9660 image labelled config-2. Secret references must have been resolved
// into the inline fields by the caller.
func ConfigDriveISO(vmi *virtv1.VirtualMachineInstance, src *virtv1.CloudInitConfigDriveSource) ([]byte, error) {
	if src.SecretRef != nil || src.NetworkDataSecretRef != nil {
		return nil, fmt.Errorf("cloudInitConfigDrive: secret references are not supported on this node")
	}
	user, err := inlineOrBase64(src.UserData, src.UserDataBase64)
	if err != nil {
		return nil, fmt.Errorf("cloudInitConfigDrive userDataBase64: %w", err)
	}
	network, err := inlineOrBase64(src.NetworkData, src.NetworkDataBase64)
	if err != nil {
		return nil, fmt.Errorf("cloudInitConfigDrive networkDataBase64: %w", err)
	}
	hostname := vmi.Spec.Hostname
	if hostname == "" {
		hostname = vmi.Name
	}
	meta, err := json.Marshal(map[string]string{
		"uuid": string(vmi.UID), "name": vmi.Name, "hostname": hostname,
		"instance_id": vmi.Name + "." + vmi.Namespace,
	})
	if err != nil {
		return nil, fmt.Errorf("encode config drive meta data: %w", err)
	}
	const dir = "openstack/latest/"
	files := []File{{Name: dir + "meta_data.json", Data: meta}, {Name: dir + "user_data", Data: user}}
	if len(network) > 0 {
		files = append(files, File{Name: dir + "network_data.json", Data: network})
	}
	var buf bytes.Buffer
	if err := WriteISO(&buf, ConfigDriveLabel, files); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
