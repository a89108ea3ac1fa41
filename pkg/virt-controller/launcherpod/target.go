package launcherpod

import (
	"fmt"
	"hash/fnv"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	virtv1 "kvirt.io/api/core/v1"
)

// HostnameLabel is the well-known node label used to keep a migration target off
// its source node.
const HostnameLabel = "kubernetes.io/hostname"

// TargetName is the migration target pod's name: the VMI's launcher name with a
// suffix from the migration UID, so each migration gets exactly one target pod.
func TargetName(vmi *virtv1.VirtualMachineInstance, migrationUID types.UID) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(migrationUID))
	return fmt.Sprintf("%s-%s", Name(vmi), strconv.FormatUint(uint64(h.Sum32()%46656), 36))
}

// RenderTarget is the launcher pod a migration starts on another node: the VMI's
// pod, labelled with the migration UID and required not to land on sourceNode.
func RenderTarget(vmi *virtv1.VirtualMachineInstance, migrationUID types.UID, sourceNode string, cfg Config,
	modes ClaimModes) *corev1.Pod {
	pod := RenderWithClaims(vmi, cfg, modes)
	pod.Name = TargetName(vmi, migrationUID)
	pod.Labels[virtv1.MigrationJobLabel] = string(migrationUID)
	// The guest reaches the target only when the migration completes: network
	// probes would fail meanwhile, and a liveness probe would stop the target.
	// The launcher receives the domain instead of starting it (a private
	// libvirtd, which the source's libvirt migrates to).
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		c.ReadinessProbe, c.LivenessProbe = nil, nil
		if c.Name == ComputeContainer {
			c.Args = append(c.Args, "--migration-target")
		}
	}
	if sourceNode == "" {
		return pod
	}
	notSource := corev1.NodeSelectorRequirement{Key: HostnameLabel, Operator: corev1.NodeSelectorOpNotIn, Values: []string{sourceNode}}
	if pod.Spec.Affinity == nil {
		pod.Spec.Affinity = &corev1.Affinity{}
	}
	if pod.Spec.Affinity.NodeAffinity == nil {
		pod.Spec.Affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	na := pod.Spec.Affinity.NodeAffinity
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{}},
		}
	}
	terms := na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	// Terms are ORed: the exclusion must be in every one of them.
	for i := range terms {
		terms[i].MatchExpressions = append(terms[i].MatchExpressions, notSource)
	}
	return pod
}
