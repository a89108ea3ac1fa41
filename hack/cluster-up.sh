#!/usr/bin/env bash
# Brings up a single-node Kubernetes (versions pinned in hack/lib/versions.sh) on this
# machine and writes _out/cluster/kubeconfig. Idempotent: what already runs is kept.
#
#   etcd + kube-apiserver     tests/framework/controlplane (kvirt-control-plane CLI),
#                             apiserver on :26443 (all addresses, guarded by iptables
#                             chain KVIRT-CLUSTER to loopback and the pod bridge)
#   kube-controller-manager,  built from the Go module proxy
#   kube-scheduler, kubelet,  (hack/build-control-plane-bins.sh --cluster),
#   kube-proxy (iptables)     on loopback; node name = hostname, InternalIP 10.244.0.1
#   containerd + runc + CNI   Debian packages (installed when missing); the sandbox
#                             image is kvirt.local/pause, built by hack/build-images.sh
#   pod network               CNI bridge kvirt0, 10.244.0.0/24, masquerade outbound
#   secondary networks        Multus thin plugin and the NetworkAttachmentDefinition
#                             CRD (hack/multus.sh)
#   storage                   kvirt's CSI hostpath driver and the CSI sidecars, the
#                             default StorageClass kvirt-hostpath (hack/csi.sh)
#
# The apiserver reaches each kubelet at its node's InternalIP. KVIRT_CLUSTER_NODES=2 adds
# a second node in its own network and mount namespaces (hack/lib/cluster-node2.sh).
# Requires root. hack/cluster-down.sh stops exactly what this started.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

[[ "${EUID}" -eq 0 ]] || kvirt::log::fatal "cluster-up needs root (containerd, kubelet, iptables)"

node_name="$(hostname | tr '[:upper:]' '[:lower:]')"
dir="${KVIRT_CLUSTER_DIR}"
cp_pki="${KVIRT_CLUSTER_CONTROL_PLANE_DIR}/pki"
node_pki="${dir}/pki"
cfg="${dir}/config"
started=${SECONDS}

# claim_machine: one cluster per machine; refuse when another checkout runs one.
claim_machine() {
  local owner
  mkdir -p "${KVIRT_CLUSTER_RUN_DIR}"
  owner="$(kvirt::cluster::other_owner)"
  [[ -z "${owner}" ]] ||
    kvirt::log::fatal "a kvirt cluster of ${owner} owns this machine; run its hack/cluster-down.sh first (or set KVIRT_CLUSTER_TAKEOVER=1)"
  # A takeover ran the other checkout's cluster-down, which removes the run dir.
  mkdir -p "${KVIRT_CLUSTER_RUN_DIR}"
  echo "${KVIRT_ROOT}" >"${KVIRT_CLUSTER_RUN_DIR}/owner"
}

# set_sysctl KEY VALUE: sets a sysctl, remembering its first value for cluster-down.
set_sysctl() {
  local key="$1" value="$2" file="/proc/sys/${1//./\/}" saved="${dir}/run/sysctl.saved"
  touch "${saved}"
  grep -q "^${key}=" "${saved}" || echo "${key}=$(cat "${file}")" >>"${saved}"
  echo "${value}" >"${file}"
}

network_up() {
  if ! ip link show "${KVIRT_CLUSTER_BRIDGE}" >/dev/null 2>&1; then
    ip link add "${KVIRT_CLUSTER_BRIDGE}" type bridge
  fi
  ip addr replace "${KVIRT_CLUSTER_NODE_IP}/24" dev "${KVIRT_CLUSTER_BRIDGE}"
  ip link set "${KVIRT_CLUSTER_BRIDGE}" up
  set_sysctl net.ipv4.ip_forward 1
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter
  set_sysctl net.bridge.bridge-nf-call-iptables 1
  # The apiserver listens on every address so pods reach it at the node IP; only
  # loopback and the pod bridge may connect.
  local chain="${KVIRT_CLUSTER_CHAIN}" port="${KVIRT_CLUSTER_APISERVER_PORT}"
  iptables -w -N "${chain}" 2>/dev/null || iptables -w -F "${chain}"
  iptables -w -A "${chain}" -i lo -j RETURN
  iptables -w -A "${chain}" -i "${KVIRT_CLUSTER_BRIDGE}" -j RETURN
  iptables -w -A "${chain}" -i "${KVIRT_NODE2_VETH}" -j RETURN
  iptables -w -A "${chain}" -j DROP
  iptables -w -C INPUT -p tcp --dport "${port}" -j "${chain}" 2>/dev/null ||
    iptables -w -I INPUT -p tcp --dport "${port}" -j "${chain}"
}

control_plane_up() {
  local cli="${KVIRT_OUT_DIR}/bin/kvirt-control-plane"
  (cd "${KVIRT_ROOT}" && go build -o "${cli}" ./tests/framework/controlplane/cmd/kvirt-control-plane)
  "${cli}" up --work-dir="${KVIRT_CLUSTER_CONTROL_PLANE_DIR}" --bin-dir="${bin_dir}" \
    --crd-dir="${KVIRT_ROOT}/manifests/crds" \
    --apiserver-port="${KVIRT_CLUSTER_APISERVER_PORT}" \
    --etcd-client-port="${KVIRT_CLUSTER_ETCD_CLIENT_PORT}" \
    --etcd-peer-port="${KVIRT_CLUSTER_ETCD_PEER_PORT}" \
    --apiserver-flag=--bind-address=0.0.0.0 \
    --apiserver-flag=--enable-admission-plugins=NodeRestriction \
    --apiserver-flag=--kubelet-preferred-address-types=InternalIP \
    --apiserver-flag=--kubelet-client-certificate="${cp_pki}/admin.crt" \
    --apiserver-flag=--kubelet-client-key="${cp_pki}/admin.key" >/dev/null
  ln -sfn control-plane/kubeconfig "${KVIRT_CLUSTER_KUBECONFIG}"
  ln -sfn "${bin_dir}/kubectl" "${KVIRT_OUT_DIR}/bin/kubectl"
  # The control plane authorizes with RBAC alone (a repeated --authorization-mode is
  # refused), so grant the kubelet's group the node role directly.
  kvirt::cluster::kubectl create clusterrolebinding kvirt-cluster:nodes --clusterrole=system:node \
    --group=system:nodes --dry-run=client -o yaml | kvirt::cluster::kubectl apply -f - >/dev/null
}

# write_node_credentials, containerd_up, kube_components_up, wait_node_ready
source "${KVIRT_ROOT}/hack/lib/cluster-node.sh"
# node2_up
source "${KVIRT_ROOT}/hack/lib/cluster-node2.sh"

mkdir -p "${dir}/run" "${dir}/logs" "${cfg}" "${node_pki}"
claim_machine
kvirt::deps build cluster
bin_dir="$("${KVIRT_ROOT}/hack/build-control-plane-bins.sh" --cluster)"
"${KVIRT_ROOT}/hack/build-images.sh" pause
pause_ref="$(cat "${KVIRT_OUT_DIR}/images/pause.ref")"
network_up
control_plane_up
write_node_credentials
containerd_up
kube_components_up
wait_node_ready
case "${KVIRT_CLUSTER_NODES}" in
  1) ;;
  2) node2_up ;;
  *) kvirt::log::fatal "KVIRT_CLUSTER_NODES must be 1 or 2, not ${KVIRT_CLUSTER_NODES}" ;;
esac
"${KVIRT_ROOT}/hack/multus.sh"
"${KVIRT_ROOT}/hack/csi.sh"
kvirt::log::info "cluster up in $((SECONDS - started))s; export KUBECONFIG=${KVIRT_CLUSTER_KUBECONFIG}"
echo "${KVIRT_CLUSTER_KUBECONFIG}"
