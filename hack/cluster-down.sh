#!/usr/bin/env bash
# Stops the local cluster of hack/cluster-up.sh and removes what it added to the
# machine: its processes (PID files only), pods and their network namespaces, mounts
# under its directories, the kvirt0 bridge, its iptables rules (kube-proxy's, the CNI
# plugins', chain KVIRT-CLUSTER), the kubelet's cgroups and the sysctls it changed.
# Logs stay in _out/cluster/logs; containerd's image store stays in
# _out/cluster/containerd/root for a faster next start unless --purge is given.
#
# Usage: hack/cluster-down.sh [--purge]
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

purge=false
case "${1:-}" in
  --purge) purge=true ;;
  "") ;;
  *) kvirt::log::fatal "usage: $0 [--purge]" ;;
esac
[[ "${EUID}" -eq 0 ]] || kvirt::log::fatal "cluster-down needs root"

dir="${KVIRT_CLUSTER_DIR}"
bin_dir="$(kvirt::control_plane::bin_dir)"

# source: drain_pods, kill_leftover_containers, remove_mounts, remove_network, ...
source "${KVIRT_ROOT}/hack/lib/cluster-teardown.sh"

owner="$(kvirt::cluster::other_owner)"
if [[ -n "${owner}" ]]; then
  kvirt::log::fatal "the cluster on this machine belongs to ${owner}; run its hack/cluster-down.sh (or set KVIRT_CLUSTER_TAKEOVER=1)"
fi

# KWOK and Prometheus (make perf-kwok) when a run was interrupted: the fake nodes,
# the controllers and the scraper.
if [[ -f "$(kvirt::cluster::pid_file kwok)" ]]; then
  "${KVIRT_ROOT}/hack/kwok.sh" down || true
fi
"${KVIRT_ROOT}/hack/prometheus.sh" stop || true
# Controllers first, so nothing recreates or reschedules the pods drained next.
kvirt::cluster::stop kube-scheduler
kvirt::cluster::stop kube-controller-manager
drain_pods
node2_down
kvirt::cluster::stop kubelet
kill_leftover_containers
kvirt::cluster::stop kube-proxy
[[ -x "${bin_dir}/kube-proxy" ]] && "${bin_dir}/kube-proxy" --cleanup >>"$(kvirt::cluster::log_file kube-proxy)" 2>&1 || true
kvirt::cluster::stop containerd
kill_leftover_shims
if [[ -x "${KVIRT_OUT_DIR}/bin/kvirt-control-plane" && -d "${KVIRT_CLUSTER_CONTROL_PLANE_DIR}" ]]; then
  kvirt::log::info "stopping etcd and kube-apiserver"
  "${KVIRT_OUT_DIR}/bin/kvirt-control-plane" down --work-dir="${KVIRT_CLUSTER_CONTROL_PLANE_DIR}" >/dev/null
fi
remove_mounts
remove_network
restore_sysctls
remove_cgroups
remove_state
check_clean
kvirt::log::info "cluster down"
