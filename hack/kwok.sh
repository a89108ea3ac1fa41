#!/usr/bin/env bash
# KWOK (sigs.k8s.io/kwok, KWOK_VERSION in hack/lib/versions.sh, built from the Go
# module proxy) on the local cluster: fake nodes whose kubelet and virt-handler are
# KWOK Stages, for make perf-kwok (docs/perf-kwok.md).
#
#   build         builds the kwok controller into the cache, prints its path
#   up NODES      starts the controller (a host process like the cluster's daemons,
#                 log and pid under _out/cluster), keeps virt-handler off fake nodes
#                 (the KubeVirt CR's workloads placement), creates NODES fake nodes
#   restage NODES restarts only the VMI Stage controllers with the Stages
#                 KWOK_STAGES names now (nodes, pods and placement are kept)
#   down          deletes the fake nodes, stops the controller, restores the placement
#
# Fake nodes are kwok-node-<i>, labelled type=kwok and kubevirt.io/schedulable=true,
# tainted kwok.x-k8s.io/node=fake:NoSchedule, with the heartbeat annotation and
# devices.kubevirt.io/{kvm,tun,vhost-net} and pods capacity. The Stages are KWOK's
# own node-initialize, node-heartbeat-with-lease, pod-ready and pod-delete (taken
# from the pinned module) and kvirt's hack/kwok/vmi-*.yaml.
#
# KWOK plays the Stages of a resource kind other than Node and Pod one object at a
# time (v0.8.0 gives such a Stage one worker), so on a busy apiserver one controller
# moves VMIs at about 2 a second. As each real node's virt-handler handles only its
# own VMIs, kvirt's VMI Stages run in KWOK_VMI_SHARDS further controllers
# (kwok-vmi-<k>, managing no node), each for the VMIs on every KWOK_VMI_SHARDS-th
# fake node (selected by .status.nodeName).
#
# Environment: KUBECONFIG (default the local cluster's), KVIRT_NAMESPACE (default
# kubevirt), KWOK_STAGES (default: every hack/kwok/*.yaml; the CI variant's self-check
# leaves the VMI Stage out this way), KWOK_VMI_SHARDS (default 2).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"
source "${KVIRT_ROOT}/hack/lib/versions.sh"

kubeconfig="${KUBECONFIG:-${KVIRT_CLUSTER_KUBECONFIG}}"
namespace="${KVIRT_NAMESPACE:-kubevirt}"
state="${KVIRT_OUT_DIR}/kwok"
bin="${KVIRT_CACHE_DIR}/bin/kwok-${KWOK_VERSION}/kwok"
shards="${KWOK_VMI_SHARDS:-2}"

kubectl() { "$(kvirt::control_plane::bin_dir)/kubectl" --kubeconfig "${kubeconfig}" "$@"; }

build() {
  [[ -x "${bin}" ]] && return 0
  mkdir -p "$(dirname "${bin}")"
  kvirt::step::run "building kwok ${KWOK_VERSION}" "about 2-3 min cold on 2 cores" \
    "${KVIRT_CACHE_DIR}/logs/build-kwok.log" \
    env GOBIN="$(dirname "${bin}")" CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=mod \
    go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
}

# options: the controllers' options. A lease renewed every 30 s (a quarter of its
# duration) stays within the node monitor's grace period (50 s) while 8000 nodes
# cost about 270 renewals a second, which 32 parallel workers keep up with on 2 cores.
options() {
  cat <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  nodeLeaseDurationSeconds: 120
  nodeLeaseParallelism: 32
  nodePlayStageParallelism: 16
  podPlayStageParallelism: 16
---
EOF
}

# node_pod_config: the node controller's configuration, KWOK's own node and pod
# Stages from the pinned module.
node_pod_config() {
  local mod f
  options
  mod="$(cd "${KVIRT_ROOT}/hack/tools" && GOWORK=off go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "${mod}" ]] || kvirt::log::fatal "cannot download sigs.k8s.io/kwok@${KWOK_VERSION}"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-delete.yaml; do
    cat "${mod}/kustomize/stage/${f}"
    echo "---"
  done
}

# vmi_config SHARD NODES: kvirt's Stages for the VMIs on fake nodes i with
# i % shards == SHARD (every VMI with one shard): a term added to each Stage's
# selector.matchExpressions.
vmi_config() {
  local f i term=""
  options
  if ((shards > 1)); then
    term="    - key: '.status.nodeName'\n      operator: 'In'\n      values:"
    for ((i = $1; i < $2; i += shards)); do term+="\n      - 'kwok-node-${i}'"; done
  fi
  for f in ${KWOK_STAGES:-$(ls "${KVIRT_ROOT}"/hack/kwok/*.yaml)}; do
    sed "s/KVIRT_NAMESPACE/${namespace}/g" "${f}" |
      awk -v term="${term}" '{ print } /^    matchExpressions:$/ && term != "" { print term }'
    echo "---"
  done
}

# nodes_yaml FROM TO: fake nodes kwok-node-FROM .. kwok-node-(TO-1) as a List.
nodes_yaml() {
  local i now
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "apiVersion: v1"
  echo "kind: List"
  echo "items:"
  for ((i = $1; i < $2; i++)); do
    cat <<EOF
- apiVersion: v1
  kind: Node
  metadata:
    name: kwok-node-${i}
    labels: {type: kwok, kubernetes.io/hostname: kwok-node-${i}, kubernetes.io/os: linux, kubernetes.io/arch: amd64, kubevirt.io/schedulable: "true"}
    annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0", kubevirt.io/heartbeat: "${now}"}
  spec:
    taints: [{key: kwok.x-k8s.io/node, value: fake, effect: NoSchedule}]
  status:
    capacity: &c {cpu: "64", memory: 512Gi, pods: "110", devices.kubevirt.io/kvm: "1k", devices.kubevirt.io/tun: "1k", devices.kubevirt.io/vhost-net: "1k"}
    allocatable: *c
EOF
  done
}

# keep_handler_off: virt-handler tolerates every taint, so the KubeVirt CR's
# workloads placement keeps its DaemonSet off nodes labelled type=kwok; the
# previous placement is saved for down.
keep_handler_off() {
  local kv
  kv="$(kubectl -n "${namespace}" get kubevirt -o name | head -n1)"
  [[ -n "${kv}" ]] || kvirt::log::fatal "no KubeVirt CR in ${namespace}: run hack/cluster-sync.sh first"
  [[ -f "${state}/workloads.json" ]] ||
    kubectl -n "${namespace}" get "${kv}" -o jsonpath='{.spec.workloads}' >"${state}/workloads.json"
  kubectl -n "${namespace}" patch "${kv}" --type merge -p '{"spec":{"workloads":{"nodePlacement":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"type","operator":"NotIn","values":["kwok"]}]}]}}}}}}}' >/dev/null
  kvirt::cluster::wait_for "virt-handler's DaemonSet to avoid fake nodes" 120 handler_avoids_fake_nodes
  handler_rolled_out
}

# handler_rolled_out: what follows (tests on the real node) finds virt-handler ready.
handler_rolled_out() {
  kubectl -n "${namespace}" rollout status daemonset/virt-handler --timeout=300s >/dev/null
}

handler_avoids_fake_nodes() {
  kubectl -n "${namespace}" get daemonset virt-handler \
    -o jsonpath='{.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]}' |
    grep -qx kwok
}

restore_placement() {
  local kv saved
  [[ -f "${state}/workloads.json" ]] || return 0
  kv="$(kubectl -n "${namespace}" get kubevirt -o name | head -n1)"
  saved="$(cat "${state}/workloads.json")"
  if [[ -n "${kv}" ]]; then
    if [[ -z "${saved}" ]]; then
      kubectl -n "${namespace}" patch "${kv}" --type json -p '[{"op":"remove","path":"/spec/workloads"}]' >/dev/null || true
    else
      kubectl -n "${namespace}" patch "${kv}" --type merge -p "{\"spec\":{\"workloads\":${saved}}}" >/dev/null
    fi
    kvirt::cluster::wait_for "virt-handler's DaemonSet placement restored" 120 handler_placement_restored
    handler_rolled_out
  fi
  rm -f "${state}/workloads.json"
}

create_nodes() {
  local n="$1" chunk=500 from
  mkdir -p "${state}/nodes"
  rm -f "${state}"/nodes/*.yaml
  for ((from = 0; from < n; from += chunk)); do
    nodes_yaml "${from}" $((from + chunk < n ? from + chunk : n)) >"${state}/nodes/${from}.yaml"
  done
  kvirt::log::info "creating ${n} fake nodes"
  ls "${state}"/nodes/*.yaml | xargs -P 4 -I{} \
    "$(kvirt::control_plane::bin_dir)/kubectl" --kubeconfig "${kubeconfig}" create -f {} -o name >/dev/null
  kvirt::cluster::wait_for "${n} fake nodes Ready" 600 ready_nodes "${n}"
}

ready_nodes() {
  local have
  have="$(kubectl get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c True || true)"
  echo "${have} of $1 Ready"
  ((have >= $1))
}

# start_controllers NODES: the node and pod controller, then one VMI controller
# per shard.
start_controllers() {
  mkdir -p "${state}"
  build
  node_pod_config >"${state}/kwok.yaml"
  # Pod IPs from a range of their own (the real node's pods use 10.244.0.0/24).
  kvirt::cluster::start kwok "${bin}" --kubeconfig "${kubeconfig}" -c "${state}/kwok.yaml" \
    --manage-nodes-with-label-selector type=kwok --cidr 10.128.0.0/14 --v=WARN
  start_vmi_controllers "$1"
}

# start_vmi_controllers NODES: one controller of kvirt's VMI Stages per shard.
start_vmi_controllers() {
  local k
  for ((k = 0; k < shards; k++)); do
    vmi_config "${k}" "$1" >"${state}/kwok-vmi-${k}.yaml"
    kvirt::cluster::start "kwok-vmi-${k}" "${bin}" --kubeconfig "${kubeconfig}" -c "${state}/kwok-vmi-${k}.yaml" \
      --manage-nodes-with-label-selector kwok.kvirt.io/no-node=true --v=WARN
  done
}

stop_vmi_controllers() {
  local f
  for f in "${KVIRT_CLUSTER_DIR}"/run/kwok-vmi-*.pid; do
    [[ -e "${f}" ]] && kvirt::cluster::stop "$(basename "${f}" .pid)"
  done
  return 0
}

stop_controllers() {
  stop_vmi_controllers
  kvirt::cluster::stop kwok
}

# restage NODES: restarts only the VMI Stage controllers, with the Stages
# KWOK_STAGES names now. The fake nodes, their pods, the node and pod
# controller and virt-handler's placement stay as they are, so this costs
# seconds where down and up would roll virt-handler out twice more.
restage() {
  local n="${1:?usage: $0 restage NODES}"
  [[ -f "${KVIRT_CLUSTER_DIR}/run/kwok.pid" ]] || kvirt::log::fatal "KWOK is not up: run $0 up NODES first"
  stop_vmi_controllers
  start_vmi_controllers "${n}"
}

up() {
  local n="${1:?usage: $0 up NODES}"
  mkdir -p "${state}"
  keep_handler_off
  start_controllers "${n}"
  create_nodes "${n}"
}

down() {
  if [[ -f "${kubeconfig}" ]] && kubectl get --raw /readyz >/dev/null 2>&1; then
    kvirt::log::info "deleting the fake nodes"
    # One collection delete: kubectl deletes one node per request, about 2 a
    # second on a busy apiserver.
    kubectl delete --raw "/api/v1/nodes?labelSelector=type%3Dkwok" >/dev/null || true
    kvirt::cluster::wait_for "the fake nodes to go" 300 no_fake_nodes || true
    restore_placement
  fi
  stop_controllers
}

handler_placement_restored() { ! handler_avoids_fake_nodes; }

no_fake_nodes() { [[ -z "$(kubectl get nodes -l type=kwok -o name)" ]]; }

case "${1:-}" in
  build) build && echo "${bin}" ;;
  up) up "${2:-}" ;;
  restage) restage "${2:-}" ;;
  down) down ;;
  *) kvirt::log::fatal "usage: $0 build|up NODES|restage NODES|down" ;;
esac
