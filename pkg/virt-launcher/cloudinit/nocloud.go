package cloudinit

import (
	"bytes"
	"encoding/base64"
	"fmt"

	virtv1 "kvirt.io/api/core/v1"
)

// NoCloudLabel is the volume label cloud-init looks for.
const NoCloudLabel = "cidata"

// Seed is the content of a NoCloud data source.
type Seed struct {
	UserData      []byte
	MetaData      []byte
	NetworkConfig []byte
}

// NoCloudSeed builds the seed of a cloudInitNoCloud volume. Secret references
// must have been resolved into the inline fields by the caller.
func NoCloudSeed(vmi *virtv1.VirtualMachineInstance, src *virtv1.CloudInitNoCloudSource) (Seed, error) {
	if src.SecretRef != nil || src.NetworkDataSecretRef != nil {
		return Seed{}, fmt.Errorf("cloudInitNoCloud: secret references are not supported on this node")
	}
	user, err := inlineOrBase64(src.UserData, src.UserDataBase64)
	if err != nil {
		return Seed{}, fmt.Errorf("cloudInitNoCloud userDataBase64: %w", err)
	}
	network, err := inlineOrBase64(src.NetworkData, src.NetworkDataBase64)
	if err != nil {
		return Seed{}, fmt.Errorf("cloudInitNoCloud networkDataBase64: %w", err)
	}
	hostname := vmi.Spec.Hostname
	if hostname == "" {
		hostname = vmi.Name
	}
	meta := fmt.Sprintf("instance-id: %s.%s\nlocal-hostname: %s\n", vmi.Name, vmi.Namespace, hostname)
	return Seed{UserData: user, MetaData: []byte(meta), NetworkConfig: network}, nil
}

func inlineOrBase64(inline, b64 string) ([]byte, error) {
	if b64 == "" {
		return []byte(inline), nil
	}
	return base64.StdEncoding.DecodeString(b64)
}

// ISO returns the seed as an ISO 9660 image labelled cidata.
func (s Seed) ISO() ([]byte, error) {
	files := []File{{Name: "user-data", Data: s.UserData}, {Name: "meta-data", Data: s.MetaData}}
	if len(s.NetworkConfig) > 0 {
		files = append(files, File{Name: "network-config", Data: s.NetworkConfig})
	}
	var buf bytes.Buffer
	if err := WriteISO(&buf, NoCloudLabel, files); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
