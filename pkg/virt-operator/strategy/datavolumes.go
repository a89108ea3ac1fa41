package strategy

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"kvirt.io/kvirt/manifests"
)

// DataVolumeCRDNames are the cdi.kubevirt.io CRDs kvirt's own DataVolume
// controller serves where CDI is not installed.
var DataVolumeCRDNames = []string{"datasources.cdi.kubevirt.io", "datavolumes.cdi.kubevirt.io"}

// DataVolumeCRDs are those CRDs, from manifests/cdi-crds.
func DataVolumeCRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	files, err := manifests.CDICRDFiles()
	if err != nil {
		return nil, err
	}
	return decodeCRDs(files)
}

// ObservedCRD is what the operator needs to know of an existing CRD: whether it
// exists and its labels.
type ObservedCRD struct {
	Exists bool
	Labels map[string]string
}

// ServeDataVolumes decides whether the install serves the DataVolume API
// itself: only when it has an importer image and each of DataVolumeCRDNames is
// either missing or was installed by virt-operator (the install labels). A CRD
// of that name without them belongs to CDI (or someone else), which then serves
// DataVolumes, and the operator leaves both CRDs alone.
func ServeDataVolumes(importerImage string, observed map[string]ObservedCRD) bool {
	if importerImage == "" {
		return false
	}
	for _, name := range DataVolumeCRDNames {
		o := observed[name]
		if o.Exists && (o.Labels[ManagedByLabel] != ManagedByValue || o.Labels[PartOfLabel] != PartOfValue) {
			return false
		}
	}
	return true
}

// dataVolumeControllerArgs are virt-controller's flags that run the DataVolume
// controller with the install's importer image.
func dataVolumeControllerArgs(cfg Config, images Images) []string {
	if !cfg.ServeDataVolumes {
		return nil
	}
	return []string{"--datavolume-controller", "--importer-image", images.Importer}
}
