#!/usr/bin/env bash
# Layout and helpers of the local single-node cluster (hack/cluster-up.sh,
# hack/cluster-down.sh). Source after common.sh; it does nothing on its own.
#
# Everything of one cluster lives under _out/cluster/ of the checkout, except the
# containerd runtime state (sockets must have short paths): /run/kvirt-cluster/. The
# machine-wide pieces (bridge kvirt0, iptables chain KVIRT-CLUSTER, kubelet ports)
# allow one cluster per machine; /run/kvirt-cluster/owner names the checkout owning it.

KVIRT_CLUSTER_DIR="${KVIRT_OUT_DIR}/cluster"
KVIRT_CLUSTER_RUN_DIR=/run/kvirt-cluster
KVIRT_CLUSTER_CONTROL_PLANE_DIR="${KVIRT_CLUSTER_DIR}/control-plane"
KVIRT_CLUSTER_KUBECONFIG="${KVIRT_CLUSTER_DIR}/kubeconfig"
KVIRT_CLUSTER_CONTAINERD_SOCK="${KVIRT_CLUSTER_RUN_DIR}/containerd/containerd.sock"

# Network: pods on bridge kvirt0 (10.244.0.0/24, the host is .1 and is also the
# node's InternalIP); services in 10.96.0.0/16 (set by tests/framework/controlplane).
KVIRT_CLUSTER_BRIDGE=kvirt0
KVIRT_CLUSTER_POD_SUBNET=10.244.0.0/24
KVIRT_CLUSTER_NODE_IP=10.244.0.1
KVIRT_CLUSTER_CNI_NAME=kvirt-cluster
# iptables chain (filter table, jumped to from INPUT) guarding the apiserver port.
KVIRT_CLUSTER_CHAIN=KVIRT-CLUSTER

# Ports on loopback, away from hack/control-plane.sh (16443) and real clusters (6443).
KVIRT_CLUSTER_APISERVER_PORT=26443
KVIRT_CLUSTER_ETCD_CLIENT_PORT=22379
KVIRT_CLUSTER_ETCD_PEER_PORT=22380

# Daemons started by cluster-up, in start order; cluster-down stops them in reverse.
KVIRT_CLUSTER_DAEMONS=(containerd kube-controller-manager kube-scheduler kubelet kube-proxy)

# The optional second node (KVIRT_CLUSTER_NODES=2, hack/lib/cluster-node2.sh): its own
# network namespace (pods on its own kvirt0, 10.244.1.0/24, the node IP .1, joined to
# the host by veth kvn2, 10.245.0.1 <-> .2) and mount namespace (its own kubelet root,
# device plugin and virt-handler state at the same paths as the first node's).
KVIRT_CLUSTER_NODES="${KVIRT_CLUSTER_NODES:-1}"
KVIRT_NODE2_NETNS=kvirt-node2
KVIRT_NODE2_VETH=kvn2
KVIRT_NODE2_HOST_IP=10.245.0.1
KVIRT_NODE2_PEER_IP=10.245.0.2
KVIRT_NODE2_POD_SUBNET=10.244.1.0/24
KVIRT_NODE2_NODE_IP=10.244.1.1
KVIRT_NODE2_RUN_DIR="${KVIRT_CLUSTER_RUN_DIR}/node2"
KVIRT_NODE2_MOUNT_NS="${KVIRT_NODE2_RUN_DIR}/mnt"
KVIRT_NODE2_CONTAINERD_SOCK="${KVIRT_NODE2_RUN_DIR}/containerd/containerd.sock"
KVIRT_NODE2_DAEMONS=(node2-containerd node2-kubelet node2-kube-proxy)

# KVIRT_CLUSTER_ENTER: a command prefix kvirt::cluster::start runs daemons under
# (nsenter into the second node's namespaces); empty for the first node.
KVIRT_CLUSTER_ENTER=()

# kvirt::cluster::other_owner prints the checkout owning this machine's cluster when
# it is not this one; prints nothing when the machine is free or ours. A stale claim
# (its checkout is gone, so nothing of it can run) is dropped. Another live checkout's
# cluster is stopped through that checkout's own cluster-down when CI=true or
# KVIRT_CLUSTER_TAKEOVER=1 (CI clones to a new path each run and may find the last
# run's cluster); otherwise it is printed and the caller refuses.
kvirt::cluster::other_owner() {
  local owner_file="${KVIRT_CLUSTER_RUN_DIR}/owner" owner
  owner="$(cat "${owner_file}" 2>/dev/null || true)"
  [[ -n "${owner}" && "${owner}" != "${KVIRT_ROOT}" ]] || return 0
  if [[ ! -x "${owner}/hack/cluster-down.sh" ]]; then
    kvirt::log::info "dropping the stale cluster claim of ${owner} (checkout gone)"
    rm -f "${owner_file}"
    return 0
  fi
  if [[ "${CI:-}" == "true" || "${KVIRT_CLUSTER_TAKEOVER:-}" == "1" ]]; then
    kvirt::log::info "stopping the cluster of ${owner} first (CI=true or KVIRT_CLUSTER_TAKEOVER=1)"
    if "${owner}/hack/cluster-down.sh" >&2; then
      rm -f "${owner_file}"
      return 0
    fi
  fi
  echo "${owner}"
}

kvirt::cluster::pid_file() { echo "${KVIRT_CLUSTER_DIR}/run/$1.pid"; }
kvirt::cluster::log_file() { echo "${KVIRT_CLUSTER_DIR}/logs/$1.log"; }

# kvirt::cluster::pid NAME prints the PID of daemon NAME when its PID file names a
# live process running the recorded executable; fails otherwise.
kvirt::cluster::pid() {
  local file pid exe
  file="$(kvirt::cluster::pid_file "$1")"
  [[ -f "${file}" ]] || return 1
  read -r pid exe <"${file}" || true
  [[ -n "${pid}" ]] && kvirt::cluster::alive "${pid}" || return 1
  [[ "$(readlink "/proc/${pid}/exe" 2>/dev/null)" == "${exe}" ]] || return 1
  echo "${pid}"
}

# kvirt::cluster::start NAME BINARY ARGS...: starts BINARY detached (own session,
# output to the log) unless daemon NAME already runs; records "PID EXE".
kvirt::cluster::start() {
  local name="$1" bin="$2" log pid_file pid
  shift 2
  if pid="$(kvirt::cluster::pid "${name}")"; then
    kvirt::log::info "${name} already running (pid ${pid})"
    return 0
  fi
  log="$(kvirt::cluster::log_file "${name}")"
  pid_file="$(kvirt::cluster::pid_file "${name}")"
  mkdir -p "$(dirname "${log}")" "$(dirname "${pid_file}")"
  setsid "${KVIRT_CLUSTER_ENTER[@]}" "${bin}" "$@" >>"${log}" 2>&1 </dev/null &
  pid=$!
  echo "${pid} $(readlink -f "${bin}")" >"${pid_file}"
  kvirt::log::info "started ${name} (pid ${pid}, log ${log})"
}

# kvirt::cluster::alive PID: the process exists and is not a zombie.
kvirt::cluster::alive() {
  kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# kvirt::cluster::stop NAME: SIGTERM, then SIGKILL after 30 s, the recorded process.
kvirt::cluster::stop() {
  local name="$1" pid i
  if ! pid="$(kvirt::cluster::pid "${name}")"; then
    rm -f "$(kvirt::cluster::pid_file "${name}")"
    return 0
  fi
  kvirt::log::info "stopping ${name} (pid ${pid})"
  kill -TERM "${pid}" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kvirt::cluster::alive "${pid}" || break
    sleep 0.1
  done
  if kvirt::cluster::alive "${pid}"; then
    kvirt::log::error "${name} (pid ${pid}) ignored SIGTERM for 30s; killing it"
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  rm -f "$(kvirt::cluster::pid_file "${name}")"
}

# kvirt::cluster::wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: polls COMMAND
# every second until it succeeds, saying every 30 s what it waits for and what COMMAND
# last printed; fails with its last output after the timeout, or at once when COMMAND
# exits with 2 (it will never succeed).
kvirt::cluster::wait_for() {
  local what="$1" timeout="$2" deadline out="" rc started=${SECONDS} next=$((SECONDS + 30))
  shift 2
  deadline=$((SECONDS + timeout))
  while true; do
    if ((SECONDS >= next)); then
      kvirt::log::info "  ... waiting for ${what}: $((SECONDS - started))s of at most ${timeout}s; ${out%%$'\n'*}"
      next=$((SECONDS + 30))
    fi
    rc=0
    out="$("$@" 2>&1)" || rc=$?
    ((rc == 0)) && return 0
    if ((rc == 2)); then
      kvirt::log::error "gave up waiting for ${what}:"
      echo "${out}" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      kvirt::log::error "timed out after ${timeout}s waiting for ${what}; last output:"
      echo "${out}" >&2
      return 1
    fi
    sleep 1
  done
}

# kvirt::cluster::write_file FILE: replaces FILE with stdin only when the content
# differs (kube-proxy exits when its configuration file is rewritten).
kvirt::cluster::write_file() {
  local file="$1" tmp
  tmp="$(mktemp "${file}.XXXXXX")"
  cat >"${tmp}"
  if [[ -f "${file}" ]] && cmp -s "${tmp}" "${file}"; then
    rm -f "${tmp}"
  else
    mv -f "${tmp}" "${file}"
  fi
}

kvirt::cluster::ctr() {
  ctr --address "${KVIRT_CLUSTER_CONTAINERD_SOCK}" --namespace k8s.io "$@"
}

# kvirt::cluster::containerd_sockets: the sockets of the nodes' containerd instances
# that exist (images are imported into each).
kvirt::cluster::containerd_sockets() {
  echo "${KVIRT_CLUSTER_CONTAINERD_SOCK}"
  [[ ! -S "${KVIRT_NODE2_CONTAINERD_SOCK}" ]] || echo "${KVIRT_NODE2_CONTAINERD_SOCK}"
}

kvirt::cluster::kubectl() {
  "$(kvirt::control_plane::bin_dir)/kubectl" --kubeconfig "${KVIRT_CLUSTER_KUBECONFIG}" "$@"
}
