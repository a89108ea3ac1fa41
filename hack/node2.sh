#!/usr/bin/env bash
# Failure drills on the local cluster's second node (KVIRT_CLUSTER_NODES=2, see
# hack/lib/cluster-node2.sh), for the node-failure e2e test:
#
#   stop    stops the node's kubelet and kills its virt-handler (the processes in
#           the node's network namespace named virt-handler); the launchers and
#           their guests keep running, as on a node whose agents died
#   cut     takes the node's link to the host down: the apiserver and the other
#           node's pods no longer reach it
#   start   brings the link up and starts what stop stopped again (cluster-up is
#           idempotent: it starts only missing daemons)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

[[ "${EUID}" -eq 0 ]] || kvirt::log::fatal "node2.sh needs root"
[[ -e "/run/netns/${KVIRT_NODE2_NETNS}" ]] || kvirt::log::fatal "no second node: run KVIRT_CLUSTER_NODES=2 make cluster-up"

# node2_pids NAME: PIDs of processes called NAME in the second node's network namespace.
node2_pids() {
  local netns proc
  netns="$(stat -L -c %i "/run/netns/${KVIRT_NODE2_NETNS}")"
  for proc in /proc/[0-9]*; do
    [[ "$(cat "${proc}/comm" 2>/dev/null)" == "$1" ]] || continue
    [[ "$(stat -L -c %i "${proc}/ns/net" 2>/dev/null)" == "${netns}" ]] && echo "${proc#/proc/}"
  done
  return 0
}

case "${1:-}" in
  stop)
    kvirt::cluster::stop node2-kubelet
    for pid in $(node2_pids virt-handler); do
      kvirt::log::info "killing virt-handler (pid ${pid}) on the second node"
      kill -KILL "${pid}" 2>/dev/null || true
    done
    ;;
  cut)
    kvirt::log::info "cutting the second node off (link ${KVIRT_NODE2_VETH} down)"
    ip link set "${KVIRT_NODE2_VETH}" down
    ;;
  start)
    KVIRT_CLUSTER_NODES=2 "${KVIRT_ROOT}/hack/cluster-up.sh"
    ;;
  *) kvirt::log::fatal "usage: $0 stop|cut|start" ;;
esac
