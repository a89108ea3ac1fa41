#!/usr/bin/env bash
# The optional second node of the local cluster (KVIRT_CLUSTER_NODES=2), for what
# needs two nodes (live migration, drain). Sourced by hack/cluster-up.sh after
# hack/lib/cluster-node.sh, whose functions it reuses with the node's own layout.
#
# The node is a network namespace plus a mount namespace, like a container without an
# image: its containerd, kubelet and kube-proxy run inside both, so ports (kubelet
# 10250, virt-handler's host-network ports) and fixed host paths (/var/lib/kubelet's
# device plugin registry, /var/lib/kvirt) are its own. Inside the mount namespace
# _out/cluster/node2/* is bind-mounted over the first node's kubelet root, CSI state
# and those host paths, so one DaemonSet's hostPaths fit both nodes. Networking: the
# node's pods are on its own kvirt0 (10.244.1.0/24, the node IP 10.244.1.1), the
# namespace reaches the host through veth kvn2 (10.245.0.1 <-> 10.245.0.2), and the
# host routes 10.244.1.0/24 through it. Its components reach the apiserver at
# 10.244.0.1:26443 (the first node's bridge address, verified as 127.0.0.1).

node2_dir="${dir}/node2"

# node2_in CMD...: runs CMD inside the second node's namespaces.
node2_in() {
  nsenter --net="/run/netns/${KVIRT_NODE2_NETNS}" --mount="${KVIRT_NODE2_MOUNT_NS}" -- "$@"
}

node2_network_up() {
  local ns="${KVIRT_NODE2_NETNS}" veth="${KVIRT_NODE2_VETH}"
  [[ -e "/run/netns/${ns}" ]] || ip netns add "${ns}"
  if ! ip link show "${veth}" >/dev/null 2>&1; then
    ip link add "${veth}" type veth peer name "${veth}-peer"
    ip link set "${veth}-peer" netns "${ns}" name eth0
  fi
  ip addr replace "${KVIRT_NODE2_HOST_IP}/30" dev "${veth}"
  ip link set "${veth}" up
  ip -n "${ns}" addr replace "${KVIRT_NODE2_PEER_IP}/30" dev eth0
  ip -n "${ns}" link set lo up
  ip -n "${ns}" link set eth0 up
  ip -n "${ns}" route replace default via "${KVIRT_NODE2_HOST_IP}"
  ip route replace "${KVIRT_NODE2_POD_SUBNET}" via "${KVIRT_NODE2_PEER_IP}" dev "${veth}"
  if ! ip -n "${ns}" link show "${KVIRT_CLUSTER_BRIDGE}" >/dev/null 2>&1; then
    ip -n "${ns}" link add "${KVIRT_CLUSTER_BRIDGE}" type bridge
  fi
  ip -n "${ns}" addr replace "${KVIRT_NODE2_NODE_IP}/24" dev "${KVIRT_CLUSTER_BRIDGE}"
  ip -n "${ns}" link set "${KVIRT_CLUSTER_BRIDGE}" up
  ip netns exec "${ns}" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward
    f=/proc/sys/net/bridge/bridge-nf-call-iptables; [ ! -e "$f" ] || echo 1 >"$f"'
}

# node2_mounts_up: the persistent mount namespace (a slave of the host's, so host
# mounts still show) with the node's directories over the shared paths.
node2_mounts_up() {
  local run="${KVIRT_NODE2_RUN_DIR}" sub
  mkdir -p "${run}"
  if ! findmnt -n "${KVIRT_NODE2_MOUNT_NS}" >/dev/null 2>&1; then
    # A persistent namespace file must sit on a private mount.
    findmnt -n "${run}" >/dev/null 2>&1 || mount --bind "${run}" "${run}"
    mount --make-private "${run}"
    touch "${KVIRT_NODE2_MOUNT_NS}"
    unshare --mount="${KVIRT_NODE2_MOUNT_NS}" --propagation slave true
    # Shared as well as slave: the host's mounts still arrive, and mounts the node's
    # kubelet and CSI driver make (Bidirectional propagation) reach its containers
    # without leaving the namespace. containerd wants every mount under a
    # Bidirectional path shared, the host's ones included.
    node2_in mount --make-rshared /
  fi
  for sub in kubelet csi-hostpath var-lib-kubelet var-lib-kvirt; do
    mkdir -p "${node2_dir}/${sub}"
  done
  mkdir -p "${dir}/kubelet" "${dir}/csi-hostpath" /var/lib/kubelet /var/lib/kvirt
  node2_in sh -c '
    bind() { findmnt -n -o SOURCE "$2" | grep -q "$1\]\?$" || mount --bind "$1" "$2"; }
    bind "$1/kubelet" "$2/kubelet"
    bind "$1/csi-hostpath" "$2/csi-hostpath"
    bind "$1/var-lib-kubelet" /var/lib/kubelet
    bind "$1/var-lib-kvirt" /var/lib/kvirt' sh "${node2_dir}" "${dir}"
}

# node2_up: the second node's credentials, containerd, kubelet and kube-proxy, with
# cluster-node.sh's writers pointed at the node's layout (a subshell keeps the first
# node's variables intact).
node2_up() {
  node2_network_up
  node2_mounts_up
  node2_cgroups_up
  (
    node_name="${node_name}-2"
    dir="${node2_dir}"
    cfg="${node2_dir}/config"
    node_pki="${node2_dir}/pki"
    apiserver_url="https://${KVIRT_CLUSTER_NODE_IP}:${KVIRT_CLUSTER_APISERVER_PORT}"
    KVIRT_CLUSTER_RUN_DIR="${KVIRT_NODE2_RUN_DIR}"
    KVIRT_CLUSTER_CONTAINERD_SOCK="${KVIRT_NODE2_CONTAINERD_SOCK}"
    KVIRT_CLUSTER_POD_SUBNET="${KVIRT_NODE2_POD_SUBNET}"
    KVIRT_CLUSTER_NODE_IP="${KVIRT_NODE2_NODE_IP}"
    KVIRT_CLUSTER_ENTER=(nsenter "--net=/run/netns/${KVIRT_NODE2_NETNS}" "--mount=${KVIRT_NODE2_MOUNT_NS}" --)
    mkdir -p "${cfg}" "${node_pki}" "${dir}/pod-logs"
    write_node2_credentials
    write_containerd_config
    kvirt::cluster::start node2-containerd "$(command -v containerd)" --config "${cfg}/containerd.toml"
    kvirt::cluster::wait_for "node2's containerd" 60 kvirt::cluster::ctr version
    local ref
    for ref in "${KVIRT_OUT_DIR}"/images/*.ref; do
      import_image "$(basename "${ref}" .ref)"
    done
    write_kubelet_config
    sed -i "s#^podLogsDir: .*#podLogsDir: \"${dir}/pod-logs\"\ncgroupRoot: /kvirt-node2#" "${cfg}/kubelet.yaml"
    kvirt::cluster::start node2-kubelet "${bin_dir}/kubelet" --config="${cfg}/kubelet.yaml" \
      --kubeconfig="${cfg}/kubelet.kubeconfig" --root-dir="${KVIRT_CLUSTER_DIR}/kubelet" \
      --hostname-override="${node_name}" --node-ip="${KVIRT_CLUSTER_NODE_IP}"
    write_kube_proxy_config
    kvirt::cluster::start node2-kube-proxy "${bin_dir}/kube-proxy" --config="${cfg}/kube-proxy.yaml"
    kvirt::cluster::wait_for "node ${node_name} Ready" 180 node_ready
  )
}

# node2_cgroups_up: the kubelet's cgroup root in every hierarchy (cgroup v1; a new
# cpuset group starts without CPUs or memory nodes, so it gets the root's).
node2_cgroups_up() {
  local h
  for h in /sys/fs/cgroup/*/; do
    mkdir -p "${h}kvirt-node2"
  done
  if [[ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]]; then
    cat /sys/fs/cgroup/cpuset/cpuset.cpus >/sys/fs/cgroup/cpuset/kvirt-node2/cpuset.cpus
    cat /sys/fs/cgroup/cpuset/cpuset.mems >/sys/fs/cgroup/cpuset/kvirt-node2/cpuset.mems
  fi
}

# write_node2_credentials: the kubelet's and kube-proxy's client certificates for
# the second node (reissued with the control plane's CA, as the first node's).
write_node2_credentials() {
  forget_certs_of_old_ca
  issue_client_cert kubelet "system:node:${node_name}" system:nodes
  issue_client_cert kube-proxy system:kube-proxy
}
