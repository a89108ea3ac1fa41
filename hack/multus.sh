#!/usr/bin/env bash
# Deploys Multus (thin plugin, hack/build-multus.sh) on the running local cluster for
# secondary networks: the NetworkAttachmentDefinition CRD, Multus's ClusterRole and its
# ServiceAccount kube-system/multus from the pinned module's manifest, a kubeconfig
# with that account's token, the plugin in the cluster's CNI bin directory
# (_out/cluster/cni/bin, beside links to Debian's plugins: bridge, host-local, ...), and
# 00-multus.conf, which containerd picks before the pod network's conflist and which
# delegates the pod network to it unchanged.
#
# Multus runs on the host like the other CNI plugins (the kubelet is not
# containerized), so there is no DaemonSet; with a second node it is configured there
# too (_out/cluster/node2/cni). Called by hack/cluster-up.sh after the
# node is Ready; idempotent. cluster-down removes it with the cluster, with the
# host bridges named kvbr-* and the host-local state of CNI networks named kvirt-*
# that secondary networks left behind (docs/cluster.md).
#
# Usage: hack/multus.sh
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

kubectl=(kvirt::cluster::kubectl)
cni="${KVIRT_CLUSTER_DIR}/cni"
out="${KVIRT_OUT_DIR}/manifests/multus"

# upstream_manifests: the CRD, ClusterRole, ClusterRoleBinding and ServiceAccount of
# the pinned module's deployment (everything before its ConfigMap and DaemonSet).
upstream_manifests() {
  local dir
  dir="$(cd "${KVIRT_ROOT}" && go mod download -json "gopkg.in/k8snetworkplumbingwg/multus-cni.v4@${MULTUS_VERSION}" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  awk '/^kind: ConfigMap$/ { exit } { print }' "${dir}/deployments/multus-daemonset.yml" |
    sed '$ { /^---$/d }' >"${out}/multus.yaml"
}

# write_kubeconfig CNI_DIR SERVER: Multus reads pods and NetworkAttachmentDefinitions
# and writes the pods' network-status as kube-system/multus (a year's token, renewed
# by each run). The server is verified as 127.0.0.1 (the second node dials the first
# node's bridge address).
write_kubeconfig() {
  local cni="$1" server="$2" ca token
  ca="$("${kubectl[@]}" config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
  token="$("${kubectl[@]}" -n kube-system create token multus --duration=8760h)"
  kvirt::cluster::write_file "${cni}/multus.kubeconfig" <<EOC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${server}
    tls-server-name: 127.0.0.1
    certificate-authority-data: ${ca}
users:
- name: multus
  user:
    token: ${token}
contexts:
- name: multus
  context:
    cluster: local
    user: multus
current-context: multus
EOC
  chmod 600 "${cni}/multus.kubeconfig"
}

# write_config CNI_DIR: the thin plugin's configuration, delegating the pod network to
# the node's conflist. Its cache stays under the node's CNI directory.
write_config() {
  local cni="$1" delegate
  delegate="$(cat "${cni}/net.d/10-${KVIRT_CLUSTER_CNI_NAME}.conflist")"
  kvirt::cluster::write_file "${cni}/net.d/00-multus.conf" <<EOC
{
  "cniVersion": "1.0.0",
  "name": "multus-cni-network",
  "type": "multus",
  "kubeconfig": "${cni}/multus.kubeconfig",
  "cniDir": "${cni}/multus",
  "binDir": "${cni}/bin",
  "confDir": "${cni}/net.d",
  "logFile": "${cni}/multus.log",
  "logLevel": "error",
  "delegates": [${delegate}]
}
EOC
}

"${kubectl[@]}" get --raw /readyz >/dev/null 2>&1 ||
  kvirt::log::fatal "the local cluster does not answer: run make cluster-up first"
mkdir -p "${out}"
bin="$("${KVIRT_ROOT}/hack/build-multus.sh")/multus"
upstream_manifests
kvirt::log::info "deploying Multus ${MULTUS_VERSION}"
"${kubectl[@]}" apply --server-side --force-conflicts --field-manager=kvirt-multus -f "${out}/multus.yaml" >/dev/null
"${kubectl[@]}" wait --for=condition=Established --timeout=60s \
  crd/network-attachment-definitions.k8s.cni.cncf.io >/dev/null
# Each node: the first one's CNI directory and, when it runs, the second one's.
nodes=("${cni}=https://127.0.0.1:${KVIRT_CLUSTER_APISERVER_PORT}")
[[ ! -e "/run/netns/${KVIRT_NODE2_NETNS}" ]] ||
  nodes+=("${KVIRT_CLUSTER_DIR}/node2/cni=https://${KVIRT_CLUSTER_NODE_IP}:${KVIRT_CLUSTER_APISERVER_PORT}")
for node in "${nodes[@]}"; do
  mkdir -p "${node%%=*}/bin" "${node%%=*}/multus"
  install -m 0755 "${bin}" "${node%%=*}/bin/multus"
  write_kubeconfig "${node%%=*}" "${node#*=}"
  write_config "${node%%=*}"
done
kvirt::log::info "Multus ready: NetworkAttachmentDefinitions give pods secondary networks"
