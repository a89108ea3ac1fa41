package validating

import (
	"encoding/base64"
	"fmt"
	"path/filepath"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// Upstream's limits on inline cloud-init data; larger payloads belong in a Secret.
const (
	cloudInitUserDataMaxBytes    = 2048
	cloudInitNetworkDataMaxBytes = 2048
)

// hostDisk types upstream accepts.
const (
	hostDiskTypeDisk         = "Disk"
	hostDiskTypeDiskOrCreate = "DiskOrCreate"
)

// validateVolumes checks names, sources and per-source rules of spec.volumes.
func validateVolumes(fld *field.Path, volumes []virtv1.Volume, cfg Config) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	singletons := map[string]int{}
	for i := range volumes {
		v := &volumes[i]
		idx := fld.Index(i)
		errs = append(errs, validateDNSLabel(idx.Child("name"), v.Name)...)
		if v.Name != "" && seen[v.Name] {
			errs = append(errs, field.Duplicate(idx.Child("name"), v.Name))
		}
		seen[v.Name] = true
		sources := volumeSources(v)
		switch len(sources) {
		case 0:
			errs = append(errs, field.Required(idx, "a volume must have exactly one source"))
		case 1:
		default:
			errs = append(errs, field.Invalid(idx, sources, "a volume must have exactly one source"))
		}
		for _, s := range sources {
			if s == "serviceAccount" || s == "downwardMetrics" || s == "memoryDump" {
				singletons[s]++
				if singletons[s] == 2 {
					errs = append(errs, field.Forbidden(idx.Child(s), fmt.Sprintf("only one %s volume is allowed", s)))
				}
			}
		}
		errs = append(errs, validateVolumeSource(idx, v, cfg)...)
	}
	return errs
}

// volumeSources lists the JSON names of the sources a volume sets.
func volumeSources(v *virtv1.Volume) []string {
	set := []struct {
		name string
		ok   bool
	}{
		{"cloudInitConfigDrive", v.CloudInitConfigDrive != nil},
		{"cloudInitNoCloud", v.CloudInitNoCloud != nil},
		{"configMap", v.ConfigMap != nil},
		{"containerDisk", v.ContainerDisk != nil},
		{"containerPath", v.ContainerPath != nil},
		{"dataVolume", v.DataVolume != nil},
		{"downwardAPI", v.DownwardAPI != nil},
		{"downwardMetrics", v.DownwardMetrics != nil},
		{"emptyDisk", v.EmptyDisk != nil},
		{"ephemeral", v.Ephemeral != nil},
		{"hostDisk", v.HostDisk != nil},
		{"memoryDump", v.MemoryDump != nil},
		{"persistentVolumeClaim", v.PersistentVolumeClaim != nil},
		{"secret", v.Secret != nil},
		{"serviceAccount", v.ServiceAccount != nil},
		{"sysprep", v.Sysprep != nil},
	}
	var out []string
	for _, s := range set {
		if s.ok {
			out = append(out, s.name)
		}
	}
	return out
}

func validateVolumeSource(idx *field.Path, v *virtv1.Volume, cfg Config) field.ErrorList {
	var errs field.ErrorList
	if v.ContainerDisk != nil && v.ContainerDisk.Image == "" {
		errs = append(errs, field.Required(idx.Child("containerDisk", "image"), "a containerDisk needs an image"))
	}
	if v.DataVolume != nil && v.DataVolume.Name == "" {
		errs = append(errs, field.Required(idx.Child("dataVolume", "name"), "a dataVolume volume needs the DataVolume's name"))
	}
	if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "" {
		errs = append(errs, field.Required(idx.Child("persistentVolumeClaim", "claimName"), "a persistentVolumeClaim volume needs claimName"))
	}
	if v.EmptyDisk != nil && (v.EmptyDisk.Capacity == nil || v.EmptyDisk.Capacity.Sign() <= 0) {
		errs = append(errs, field.Required(idx.Child("emptyDisk", "capacity"), "an emptyDisk needs a positive capacity"))
	}
	if v.HostDisk != nil {
		errs = append(errs, validateHostDisk(idx.Child("hostDisk"), v.HostDisk, cfg)...)
	}
	if c := v.CloudInitNoCloud; c != nil {
		errs = append(errs, validateCloudInit(idx.Child("cloudInitNoCloud"), cloudInitData{
			c.UserData, c.UserDataBase64, c.SecretRef != nil, c.NetworkData, c.NetworkDataBase64, c.NetworkDataSecretRef != nil,
		})...)
	}
	if c := v.CloudInitConfigDrive; c != nil {
		errs = append(errs, validateCloudInit(idx.Child("cloudInitConfigDrive"), cloudInitData{
			c.UserData, c.UserDataBase64, c.SecretRef != nil, c.NetworkData, c.NetworkDataBase64, c.NetworkDataSecretRef != nil,
		})...)
	}
	return errs
}

func validateHostDisk(fld *field.Path, hd *virtv1.HostDisk, cfg Config) field.ErrorList {
	var errs field.ErrorList
	if !cfg.gateEnabled(FeatureGateHostDisk) {
		errs = append(errs, field.Forbidden(fld, "hostDisk volumes need the HostDisk feature gate, which is disabled"))
	}
	switch {
	case hd.Path == "":
		errs = append(errs, field.Required(fld.Child("path"), "hostDisk needs a path"))
	case !filepath.IsAbs(hd.Path):
		errs = append(errs, field.Invalid(fld.Child("path"), hd.Path, "hostDisk path must be absolute"))
	}
	switch hd.Type {
	case hostDiskTypeDisk:
	case hostDiskTypeDiskOrCreate:
		if hd.Capacity == nil || hd.Capacity.Sign() <= 0 {
			errs = append(errs, field.Required(fld.Child("capacity"), "hostDisk of type DiskOrCreate needs a capacity"))
		}
	default:
		errs = append(errs, field.NotSupported(fld.Child("type"), hd.Type, []string{hostDiskTypeDisk, hostDiskTypeDiskOrCreate}))
	}
	return errs
}

// cloudInitData is the part NoCloud and ConfigDrive sources share.
type cloudInitData struct {
	userData, userDataBase64       string
	userSecret                     bool
	networkData, networkDataBase64 string
	networkSecret                  bool
}

func validateCloudInit(fld *field.Path, d cloudInitData) field.ErrorList {
	var errs field.ErrorList
	userSources := countTrue(d.userData != "", d.userDataBase64 != "", d.userSecret)
	netSources := countTrue(d.networkData != "", d.networkDataBase64 != "", d.networkSecret)
	if userSources+netSources == 0 {
		errs = append(errs, field.Required(fld, "one of userData, userDataBase64, secretRef, networkData, networkDataBase64 or networkDataSecretRef is required"))
	}
	if userSources > 1 {
		errs = append(errs, field.Invalid(fld, "", "only one of userData, userDataBase64 and secretRef may be set"))
	}
	if netSources > 1 {
		errs = append(errs, field.Invalid(fld, "", "only one of networkData, networkDataBase64 and networkDataSecretRef may be set"))
	}
	errs = append(errs, validateInlineData(fld, "userData", d.userData, d.userDataBase64, cloudInitUserDataMaxBytes)...)
	errs = append(errs, validateInlineData(fld, "networkData", d.networkData, d.networkDataBase64, cloudInitNetworkDataMaxBytes)...)
	return errs
}

// validateInlineData checks the plain and base64 forms of one cloud-init payload.
func validateInlineData(fld *field.Path, name, plain, b64 string, limit int) field.ErrorList {
	var errs field.ErrorList
	if len(plain) > limit {
		errs = append(errs, field.TooLong(fld.Child(name), "", limit))
	}
	if b64 == "" {
		return errs
	}
	decoded, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return append(errs, field.Invalid(fld.Child(name+"Base64"), "", fmt.Sprintf("not valid base64: %v", err)))
	}
	if len(decoded) > limit {
		errs = append(errs, field.TooLong(fld.Child(name+"Base64"), "", limit))
	}
	return errs
}

func validateDNSLabel(fld *field.Path, name string) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(fld, "")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(name) {
		errs = append(errs, field.Invalid(fld, name, msg))
	}
	return errs
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
