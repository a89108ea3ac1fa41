#!/usr/bin/env bash
# The teardown steps of hack/cluster-down.sh. Sourced after common.sh and cluster.sh,
# with dir and purge set. Each step only touches what cluster-up created: processes by
# PID file or by our containerd socket, mounts under our directories or network
# namespaces of our sandboxes, iptables rules named for our network.

leftover_netns=()

containerd_answers() {
  kvirt::cluster::pid containerd >/dev/null && kvirt::cluster::ctr version >/dev/null 2>&1
}

# no_pods_left: no containerd task runs and no interface is attached to the bridge.
no_pods_left() {
  local tasks links
  tasks="$(kvirt::cluster::ctr tasks ls -q 2>&1)" || return 1
  links="$(ip -o link show master "${KVIRT_CLUSTER_BRIDGE}" 2>/dev/null || true)"
  [[ -z "${tasks}" && -z "${links}" ]] || {
    echo "tasks: ${tasks:-none}; bridge ports: ${links:-none}"
    return 1
  }
}

# only_csi_pods_left: every pod but the CSI driver's is gone.
only_csi_pods_left() {
  local out left
  # -o name prints nothing for no pods ("No resources found" goes to stderr).
  out="$(kvirt::cluster::kubectl get pods --all-namespaces -o name --request-timeout=20s \
    --field-selector metadata.namespace!=kvirt-csi 2>/dev/null)" || { echo "cannot list pods"; return 1; }
  left="$(grep -c . <<<"${out}" || true)"
  [[ "${left}" == 0 ]] || { echo "${left} pods left: ${out//$'\n'/ }"; return 1; }
}

# drain_pods: deletes every pod while the kubelet still runs, so it stops them the
# normal way (volumes unmounted, CNI DEL, sandbox removed), and waits for that. The
# CSI driver goes last: the kubelet needs it to unpublish the other pods' volumes.
drain_pods() {
  kvirt::cluster::pid kubelet >/dev/null && containerd_answers || return 0
  kvirt::log::info "deleting all pods"
  kvirt::cluster::kubectl delete pods --all-namespaces --field-selector metadata.namespace!=kvirt-csi \
    --grace-period=0 --force --wait=false --request-timeout=20s >/dev/null 2>&1 || true
  kvirt::cluster::wait_for "the kubelet to stop every pod but the CSI driver's" 90 only_csi_pods_left ||
    kvirt::log::error "pods left behind beside the CSI driver"
  kvirt::cluster::kubectl delete pods --all --all-namespaces --grace-period=0 --force \
    --wait=false --request-timeout=20s >/dev/null 2>&1 || true
  kvirt::cluster::wait_for "the kubelet to stop every pod" 90 no_pods_left ||
    kvirt::log::error "pods left behind; removing them through containerd"
}

# kill_leftover_containers: containers the kubelet did not remove (it was not running,
# or timed out): remember their network namespaces, kill and delete them.
kill_leftover_containers() {
  containerd_answers || return 0
  local ids id ns
  mapfile -t ids < <(kvirt::cluster::ctr containers ls -q)
  [[ "${#ids[@]}" -gt 0 ]] || return 0
  kvirt::log::info "removing ${#ids[@]} containers the kubelet left (stopped sandboxes await its GC)"
  for id in "${ids[@]}"; do
    while read -r ns; do
      [[ -n "${ns}" ]] && leftover_netns+=("${ns}")
    done < <(kvirt::cluster::ctr containers info "${id}" | grep -o '/var/run/netns/cni-[0-9a-f-]*' | sort -u)
    kvirt::cluster::ctr tasks delete --force "${id}" >/dev/null 2>&1 || true
    kvirt::cluster::ctr containers delete "${id}" >/dev/null 2>&1 || true
    # libcni's cached results of a sandbox that missed its CNI DEL.
    rm -f /var/lib/cni/results/*-"${id}"-*
  done
}

# kill_leftover_shims: shims of our containerd (found by its socket in their command
# line) that outlived it.
kill_leftover_shims() {
  local cmdline pid
  for cmdline in /proc/[0-9]*/cmdline; do
    pid="${cmdline#/proc/}"
    pid="${pid%/cmdline}"
    if tr '\0' ' ' 2>/dev/null <"${cmdline}" |
      grep -q "containerd-shim.* -address ${KVIRT_CLUSTER_CONTAINERD_SOCK} "; then
      kvirt::log::info "killing leftover shim ${pid}"
      kill -KILL "${pid}" 2>/dev/null || true
    fi
  done
}

# our_mounts: mount points under our directories or leftover netns, deepest first.
our_mounts() {
  local mp ns
  awk '{print $5}' /proc/self/mountinfo | while read -r mp; do
    case "${mp}" in
      "${dir}" | "${dir}"/* | "${KVIRT_CLUSTER_RUN_DIR}" | "${KVIRT_CLUSTER_RUN_DIR}"/*) echo "${mp}" ;;
    esac
    for ns in "${leftover_netns[@]}"; do
      [[ "${mp}" == "${ns}" || "${mp}" == "${ns/#\/var\/run/\/run}" ]] && echo "${mp}"
    done
  done | sort -ru
}

remove_mounts() {
  local mp ns
  while read -r mp; do
    [[ -n "${mp}" ]] || continue
    umount "${mp}" 2>/dev/null || umount -l "${mp}"
  done < <(our_mounts)
  for ns in "${leftover_netns[@]}"; do
    rm -f "${ns}"
  done
  detach_csi_loops
  # containerd makes /run/netns a shared bind mount of itself; undo that when it did
  # (cluster-up noted the directory was absent) and no namespace is left in it.
  if [[ -f "${dir}/run/netns-created" ]] && [[ -z "$(ls -A /run/netns 2>/dev/null)" ]]; then
    umount /run/netns 2>/dev/null || true
    rmdir /run/netns 2>/dev/null || true
  fi
}

# node2_down: the second node's kubelet, containers, kube-proxy and containerd
# (drain_pods already deleted its pods), then whatever still runs in its network
# namespace. Its mounts go with its mount namespace (remove_mounts unmounts the
# namespace file), its veth, bridge, routes and iptables rules with its network
# namespace.
node2_down() {
  local ns="${KVIRT_NODE2_NETNS}" id
  (
    KVIRT_CLUSTER_CONTAINERD_SOCK="${KVIRT_NODE2_CONTAINERD_SOCK}"
    if kvirt::cluster::pid node2-containerd >/dev/null; then
      kvirt::cluster::wait_for "node2's containerd to run no task" 90 node2_no_tasks ||
        kvirt::log::error "node2 left tasks behind; removing them through containerd"
    fi
    kvirt::cluster::stop node2-kubelet
    if kvirt::cluster::pid node2-containerd >/dev/null; then
      for id in $(kvirt::cluster::ctr containers ls -q 2>/dev/null); do
        kvirt::cluster::ctr tasks delete --force "${id}" >/dev/null 2>&1 || true
        kvirt::cluster::ctr containers delete "${id}" >/dev/null 2>&1 || true
      done
    fi
    kvirt::cluster::stop node2-kube-proxy
    kvirt::cluster::stop node2-containerd
    kill_leftover_shims
  )
  if [[ -e "/run/netns/${ns}" ]]; then
    ip netns pids "${ns}" | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "${ns}"
  fi
  ip link del "${KVIRT_NODE2_VETH}" 2>/dev/null || true
  # The files its containerd created for sandbox namespaces in the shared /run/netns
  # (their mounts were in its mount namespace).
  local f
  for f in /run/netns/cni-*; do
    if [[ -f "${f}" ]] && ! findmnt -n "${f}" >/dev/null 2>&1; then
      rm -f "${f}"
    fi
  done
}

node2_no_tasks() {
  local tasks
  tasks="$(kvirt::cluster::ctr tasks ls -q 2>&1)" || return 1
  [[ -z "${tasks}" ]] || { echo "tasks: ${tasks}"; return 1; }
}

# detach_csi_loops: loop devices the CSI driver attached to Block volumes under our
# tree and did not detach (its pod was gone before the volumes were unpublished).
detach_csi_loops() {
  local f
  for f in /sys/block/loop*/loop/backing_file; do
    [[ -f "${f}" ]] || continue
    case "$(cat "${f}")" in
      "${dir}/csi-hostpath/"* | "${dir}/node2/csi-hostpath/"*) ;;
      *) continue ;;
    esac
    f="${f#/sys/block/}"
    losetup -d "/dev/${f%%/*}" 2>/dev/null || true
  done
}

# delete_rules TABLE PATTERN: deletes every rule of TABLE whose iptables-save line
# matches PATTERN, and the CNI chains those rules jump to.
delete_rules() {
  local table="$1" pattern="$2" line chain chains=()
  while read -r line; do
    [[ -n "${line}" ]] || continue
    chain="$(grep -o -- '-j CNI-[0-9a-f]*' <<<"${line}" | cut -d' ' -f2 || true)"
    [[ -n "${chain}" ]] && chains+=("${chain}")
    eval "iptables -w -t ${table} ${line/#-A /-D }"
  done < <(iptables-save -t "${table}" | grep -- "^-A .*${pattern}" || true)
  for chain in "${chains[@]}"; do
    iptables -w -t "${table}" -F "${chain}" 2>/dev/null || true
    iptables -w -t "${table}" -X "${chain}" 2>/dev/null || true
  done
}

remove_network() {
  local chain="${KVIRT_CLUSTER_CHAIN}" port="${KVIRT_CLUSTER_APISERVER_PORT}"
  while iptables -w -C INPUT -p tcp --dport "${port}" -j "${chain}" 2>/dev/null; do
    iptables -w -D INPUT -p tcp --dport "${port}" -j "${chain}"
  done
  iptables -w -F "${chain}" 2>/dev/null || true
  iptables -w -X "${chain}" 2>/dev/null || true
  # Masquerade rules of the bridge plugin for sandboxes that missed their CNI DEL.
  delete_rules nat "name: \\\\\"${KVIRT_CLUSTER_CNI_NAME}\\\\\""
  remove_kube_chains
  if ip link show "${KVIRT_CLUSTER_BRIDGE}" >/dev/null 2>&1; then
    ip link del "${KVIRT_CLUSTER_BRIDGE}"
  fi
  remove_secondary_networks
}

# secondary_bridges: host bridges of secondary networks (the bridge CNI plugin leaves
# them when their last pod goes); by convention they are named kvbr-*.
secondary_bridges() {
  ip -o link show type bridge | sed -n 's/^[0-9]*: \(kvbr-[^:@]*\).*/\1/p'
}

# remove_secondary_networks: the kvbr-* bridges and the host-local state (default
# dataDir) of CNI networks named kvirt-*.
remove_secondary_networks() {
  local br
  while read -r br; do
    [[ -n "${br}" ]] && ip link del "${br}"
  done < <(secondary_bridges)
  rm -rf /var/lib/cni/networks/kvirt-*
  rmdir /var/lib/cni/networks 2>/dev/null || true
}

# remove_kube_chains: chains named KUBE-* left after `kube-proxy --cleanup`: the
# kubelet's own (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT), in both IP
# families. Only the kubelet and kube-proxy cluster-up started create KUBE- chains here.
remove_kube_chains() {
  local cmd table line chain
  for cmd in iptables ip6tables; do
    for table in filter nat mangle; do
      while read -r line; do
        eval "${cmd} -w -t ${table} ${line/#-A /-D }"
      done < <("${cmd}-save" -t "${table}" | grep -E -- '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' || true)
      while read -r chain; do
        "${cmd}" -w -t "${table}" -F "${chain}" 2>/dev/null || true
      done < <("${cmd}-save" -t "${table}" | sed -n 's/^:\(KUBE-[^ ]*\) .*/\1/p')
      while read -r chain; do
        "${cmd}" -w -t "${table}" -X "${chain}" 2>/dev/null || true
      done < <("${cmd}-save" -t "${table}" | sed -n 's/^:\(KUBE-[^ ]*\) .*/\1/p')
    done
  done
}

restore_sysctls() {
  local saved="${dir}/run/sysctl.saved" key value
  [[ -f "${saved}" ]] || return 0
  while IFS='=' read -r key value; do
    [[ -e "/proc/sys/${key//.//}" ]] && echo "${value}" >"/proc/sys/${key//.//}"
  done <"${saved}"
  rm -f "${saved}"
}

# remove_cgroups: the kubelet's pod cgroup trees (cgroupfs driver, cgroup v1).
remove_cgroups() {
  local root
  for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kvirt-node2; do
    [[ -d "${root}" ]] && find "${root}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

remove_state() {
  if [[ -n "$(our_mounts)" ]]; then
    kvirt::log::error "mounts remain under ${dir}; keeping its state: $(our_mounts | tr '\n' ' ')"
    return 0
  fi
  # The second node's tree but its image store (kept like the first node's).
  if [[ -d "${dir}/node2" ]]; then
    find "${dir}/node2" -mindepth 1 -maxdepth 1 ! -name containerd -exec rm -rf --one-file-system {} +
    [[ "${purge}" == false ]] || rm -rf --one-file-system "${dir}/node2"
  fi
  rm -rf --one-file-system "${dir}/kubelet" "${dir}/pod-logs" "${dir}/cni" "${dir}/run" \
    "${dir}/config" "${dir}/pki" "${dir}/csi-hostpath" "${KVIRT_CLUSTER_RUN_DIR}" "${KVIRT_CLUSTER_KUBECONFIG}"
  [[ "${purge}" == false ]] || rm -rf --one-file-system "${dir}/containerd"
  # Directories containerd's shims and libcni create outside our tree, when empty.
  rmdir /run/containerd/s /run/containerd/runc/k8s.io /run/containerd/runc /run/containerd \
    /var/lib/cni/results /var/lib/cni 2>/dev/null || true
  # The kubelet keeps its device plugin registry at this fixed path whatever its
  # --root-dir; virt-handler's plugins put their sockets there too.
  local plugins=/var/lib/kubelet/device-plugins
  rm -f "${plugins}/kubelet.sock" "${plugins}/kubelet_internal_checkpoint" "${plugins}"/kvirt-*.sock
  rmdir "${plugins}" /var/lib/kubelet 2>/dev/null || true
}

# check_clean: fails listing whatever of ours is still there.
check_clean() {
  local problems=() name
  for name in "${KVIRT_CLUSTER_DAEMONS[@]}" "${KVIRT_NODE2_DAEMONS[@]}" kwok; do
    kvirt::cluster::pid "${name}" >/dev/null && problems+=("${name} still runs")
  done
  [[ -z "$(our_mounts)" ]] || problems+=("mounts: $(our_mounts | tr '\n' ' ')")
  ip link show "${KVIRT_CLUSTER_BRIDGE}" >/dev/null 2>&1 && problems+=("bridge ${KVIRT_CLUSTER_BRIDGE}")
  [[ ! -e "/run/netns/${KVIRT_NODE2_NETNS}" ]] || problems+=("network namespace ${KVIRT_NODE2_NETNS}")
  [[ -z "$(secondary_bridges)" ]] || problems+=("bridges: $(secondary_bridges | tr '\n' ' ')")
  iptables-save | grep -q -e "${KVIRT_CLUSTER_CHAIN}" -e "${KVIRT_CLUSTER_CNI_NAME}" -e KUBE- &&
    problems+=("iptables rules")
  ip6tables-save | grep -q KUBE- && problems+=("ip6tables rules")
  if [[ "${#problems[@]}" -gt 0 ]]; then
    kvirt::log::fatal "left behind: ${problems[*]}"
  fi
}
