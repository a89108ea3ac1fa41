package strategy

import (
	"slices"

	virtv1 "kvirt.io/api/core/v1"
)

// Values of spec.uninstallStrategy.
const (
	// UninstallRemoveWorkloads also removes the CRDs, and with them every VM, VMI
	// and other kvirt object.
	UninstallRemoveWorkloads = "RemoveWorkloads"
	// UninstallBlockIfWorkloadsExist keeps the install (and the finalizer) while
	// any VirtualMachineInstance exists.
	UninstallBlockIfWorkloadsExist = "BlockUninstallIfWorkloadsExist"
)

// BlocksOnWorkloads reports whether the uninstall must wait for VMIs to be gone.
func BlocksOnWorkloads(kv *virtv1.KubeVirt) bool {
	return kv.Spec.UninstallStrategy == UninstallBlockIfWorkloadsExist
}

// deleteRank orders the uninstall: registration first (so the apiserver stops
// calling a virt-api that is going away), then the components, then the rest.
func deleteRank(o Object) int {
	switch o.GetObjectKind().GroupVersionKind().Kind {
	case "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService":
		return 0
	case "Deployment", "DaemonSet", "Service":
		return 1
	case "VirtualMachineClusterInstancetype", "VirtualMachineClusterPreference":
		return 2 // before the CRDs (rank 3) that serve them
	case "CustomResourceDefinition":
		return 3
	}
	return 2
}

// ToDelete returns, in deletion order, the objects of installed that the uninstall
// removes: everything but the Namespace (virt-operator lives in it), and the CRDs
// only with uninstallStrategy RemoveWorkloads, so VMs and their data survive a
// reinstall by default. VMIs and launcher pods are never touched directly.
func ToDelete(kv *virtv1.KubeVirt, installed []Object) []Object {
	var out []Object
	for _, o := range installed {
		switch o.GetObjectKind().GroupVersionKind().Kind {
		case "Namespace":
			continue
		case "CustomResourceDefinition":
			if kv.Spec.UninstallStrategy != UninstallRemoveWorkloads {
				continue
			}
		}
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b Object) int { return deleteRank(a) - deleteRank(b) })
	return out
}
