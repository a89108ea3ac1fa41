#!/usr/bin/env bash
# Deploys kvirt's CSI hostpath driver (hostpath.csi.kvirt.io, pkg/csi/hostpath) on the
# running local cluster, with the Kubernetes CSI sidecars built by
# hack/build-csi-bins.sh: csi-provisioner, csi-resizer and csi-snapshotter beside the
# driver in a DaemonSet, snapshot-controller in a Deployment, the VolumeSnapshot CRDs
# and RBAC from the pinned modules, the CSIDriver, the default StorageClass
# kvirt-hostpath (WaitForFirstConsumer, expandable) and the default
# VolumeSnapshotClass kvirt-hostpath. Volumes live under _out/cluster/csi-hostpath.
# Called by hack/cluster-up.sh; idempotent. cluster-down removes it with the cluster.
#
# Why kvirt's own driver: the Kubernetes hostpath driver's module is not served by the
# module proxy at any version tried (see docs/csi-hostpath.md).
#
# Usage: hack/csi.sh
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

kubectl=(kvirt::cluster::kubectl)
out="${KVIRT_OUT_DIR}/manifests/csi"
state_dir="${KVIRT_CLUSTER_DIR}/csi-hostpath"
timeout="${KVIRT_SYNC_TIMEOUT:-300}"

# module_dir MODULE VERSION: the module's directory in the module cache.
module_dir() {
  (cd "${KVIRT_ROOT}" && go mod download -json "$1@$2") | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# upstream_manifests: the snapshot CRDs and each sidecar's RBAC from the pinned
# modules, moved into the kvirt-csi namespace.
upstream_manifests() {
  local org=github.com/kubernetes-csi snap prov res client f
  snap="$(module_dir "${org}/external-snapshotter/v8" "${CSI_SNAPSHOTTER_VERSION}")"
  client="$(module_dir "${org}/external-snapshotter/client/v8" "${CSI_SNAPSHOTTER_VERSION}")"
  prov="$(module_dir "${org}/external-provisioner/v6" "${CSI_PROVISIONER_VERSION}")"
  res="$(module_dir "${org}/external-resizer" "${CSI_RESIZER_VERSION}")"
  for f in "${client}"/config/crd/*_*.yaml; do
    cat "${f}"
    echo ---
  done >"${out}/crds.yaml"
  for f in "${prov}/deploy/kubernetes/rbac.yaml" "${res}/deploy/kubernetes/rbac.yaml" \
    "${snap}/deploy/kubernetes/csi-snapshotter/rbac-csi-snapshotter.yaml" \
    "${snap}/deploy/kubernetes/snapshot-controller/rbac-snapshot-controller.yaml"; do
    sed -e 's/namespace: default$/namespace: kvirt-csi/' -e 's/namespace: kube-system$/namespace: kvirt-csi/' "${f}"
    echo ---
  done >"${out}/rbac.yaml"
}

driver_registered() {
  "${kubectl[@]}" get csinodes -o jsonpath='{range .items[*]}{.spec.drivers[*].name}{"\n"}{end}' |
    grep -q hostpath.csi.kvirt.io
}

"${kubectl[@]}" get --raw /readyz >/dev/null 2>&1 ||
  kvirt::log::fatal "the local cluster does not answer: run make cluster-up first"
mkdir -p "${out}" "${state_dir}"
"${KVIRT_ROOT}/hack/build-images.sh" --import csi-hostpath
upstream_manifests
sed -e "s#@IMAGE@#$(cat "${KVIRT_OUT_DIR}/images/csi-hostpath.ref")#g" \
  -e "s#@KUBELET_DIR@#${KVIRT_CLUSTER_DIR}/kubelet#g" -e "s#@STATE_DIR@#${state_dir}#g" \
  "${KVIRT_ROOT}/hack/csi/hostpath.yaml" >"${out}/hostpath.yaml"
kvirt::log::info "deploying the CSI hostpath driver"
apply=(apply --server-side --force-conflicts --field-manager=kvirt-csi)
"${kubectl[@]}" "${apply[@]}" -f "${out}/crds.yaml" >/dev/null
"${kubectl[@]}" wait --for=condition=Established --timeout=60s crd/volumesnapshotclasses.snapshot.storage.k8s.io >/dev/null
"${kubectl[@]}" "${apply[@]}" -f "${out}/hostpath.yaml" -f "${out}/rbac.yaml" >/dev/null
"${kubectl[@]}" -n kvirt-csi rollout status daemonset/csi-hostpath --timeout="${timeout}s" >/dev/null
"${kubectl[@]}" -n kvirt-csi rollout status deployment/snapshot-controller --timeout="${timeout}s" >/dev/null
"${kubectl[@]}" -n kvirt-csi wait pod -l app=csi-hostpath --for=condition=Ready --timeout="${timeout}s" >/dev/null
kvirt::cluster::wait_for "the kubelet to register hostpath.csi.kvirt.io" 60 driver_registered
kvirt::log::info "CSI hostpath driver ready: default StorageClass kvirt-hostpath"
