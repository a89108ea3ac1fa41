#!/usr/bin/env bash
# The node half of hack/cluster-up.sh: credentials, containerd, the Kubernetes node
# and controller daemons. Sourced by cluster-up.sh after its variables are set
# (dir, cfg, cp_pki, node_pki, node_name, bin_dir, pause_ref).

# issue_client_cert NAME CN [O]: a client key pair signed by the cluster CA, and its
# kubeconfig; kept when both exist.
issue_client_cert() {
  local name="$1" cn="$2" org="${3:-}" subj
  [[ -f "${node_pki}/${name}.crt" && -f "${cfg}/${name}.kubeconfig" ]] && return 0
  subj="/CN=${cn}"
  [[ -n "${org}" ]] && subj="/O=${org}${subj}"
  openssl ecparam -name prime256v1 -genkey -noout -out "${node_pki}/${name}.key" 2>/dev/null
  openssl req -new -key "${node_pki}/${name}.key" -subj "${subj}" -out "${node_pki}/${name}.csr"
  openssl x509 -req -in "${node_pki}/${name}.csr" -CA "${cp_pki}/ca.crt" -CAkey "${cp_pki}/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 365 -out "${node_pki}/${name}.crt" \
    -extfile <(printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n') 2>/dev/null
  rm -f "${node_pki}/${name}.csr" "${cfg}/${name}.kubeconfig"
  write_kubeconfig "${name}"
}

# write_kubeconfig NAME: kubeconfig for the client certificate NAME.
write_kubeconfig() {
  local name="$1" kc="${cfg}/$1.kubeconfig" kubectl="${bin_dir}/kubectl"
  "${kubectl}" config --kubeconfig="${kc}" set-cluster kvirt --embed-certs \
    --certificate-authority="${cp_pki}/ca.crt" --server="${apiserver_url:-https://127.0.0.1:${KVIRT_CLUSTER_APISERVER_PORT}}" \
    ${apiserver_url:+--tls-server-name=127.0.0.1} >/dev/null
  "${kubectl}" config --kubeconfig="${kc}" set-credentials "${name}" --embed-certs \
    --client-certificate="${node_pki}/${name}.crt" --client-key="${node_pki}/${name}.key" >/dev/null
  "${kubectl}" config --kubeconfig="${kc}" set-context default --cluster=kvirt --user="${name}" >/dev/null
  "${kubectl}" config --kubeconfig="${kc}" use-context default >/dev/null
}

# forget_certs_of_old_ca: removes node_pki's certificates when the control plane's CA
# is not the one that signed them.
forget_certs_of_old_ca() {
  local ca_sum
  ca_sum="$(sha256sum "${cp_pki}/ca.crt" | cut -d' ' -f1)"
  if [[ "$(cat "${node_pki}/ca.sha256" 2>/dev/null)" != "${ca_sum}" ]]; then
    rm -f "${node_pki}"/*.crt "${node_pki}"/*.key
    echo "${ca_sum}" >"${node_pki}/ca.sha256"
  fi
}

# write_node_credentials: certificates (signed by the control plane's CA, so they are
# reissued whenever that CA is new) and kubeconfigs of the node components.
write_node_credentials() {
  forget_certs_of_old_ca
  issue_client_cert kubelet "system:node:${node_name}" system:nodes
  issue_client_cert kube-controller-manager system:kube-controller-manager
  issue_client_cert kube-scheduler system:kube-scheduler
  issue_client_cert kube-proxy system:kube-proxy
}

write_containerd_config() {
  local run="${KVIRT_CLUSTER_RUN_DIR}/containerd" cri='plugins."io.containerd.grpc.v1.cri"'
  mkdir -p "${dir}/containerd/root" "${run}" "${dir}/cni/net.d" "${dir}/cni/ipam" "${dir}/cni/bin"
  # The CNI bin directory: Debian's plugins, linked, and Multus (hack/multus.sh).
  local plugin
  for plugin in /usr/lib/cni/*; do
    ln -sfn "${plugin}" "${dir}/cni/bin/$(basename "${plugin}")"
  done
  kvirt::cluster::write_file "${cfg}/containerd.toml" <<EOC
version = 2
root = "${dir}/containerd/root"
state = "${run}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]
[grpc]
  address = "${KVIRT_CLUSTER_CONTAINERD_SOCK}"
[ttrpc]
  address = "${KVIRT_CLUSTER_CONTAINERD_SOCK}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/containerd/opt"
[${cri}]
  sandbox_image = "${pause_ref}"
  # Containers may not lower their OOM score below containerd's: no CAP_SYS_RESOURCE here.
  restrict_oom_score_adj = true
  disable_apparmor = true
  # Device nodes of the device plugins (/dev/kvm, /dev/net/tun, /dev/vhost-net) belong
  # to the container's runAsUser/runAsGroup: the non-root launcher (UID 107) opens them.
  device_ownership_from_security_context = true
[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[${cri}.containerd.runtimes.runc.options]
  BinaryName = "/usr/bin/runc"
  Root = "${KVIRT_CLUSTER_RUN_DIR}/runc"
  SystemdCgroup = false
[${cri}.cni]
  bin_dir = "${dir}/cni/bin"
  conf_dir = "${dir}/cni/net.d"
  max_conf_num = 1
EOC
  kvirt::cluster::write_file "${dir}/cni/net.d/10-${KVIRT_CLUSTER_CNI_NAME}.conflist" <<EOC
{
  "cniVersion": "1.0.0",
  "name": "${KVIRT_CLUSTER_CNI_NAME}",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${KVIRT_CLUSTER_BRIDGE}",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "${dir}/cni/ipam",
        "ranges": [[{"subnet": "${KVIRT_CLUSTER_POD_SUBNET}", "gateway": "${KVIRT_CLUSTER_NODE_IP}"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOC
}

containerd_up() {
  write_containerd_config
  # containerd creates /run/netns (a shared bind mount) for pod network namespaces;
  # remember when it was not there before, so cluster-down removes it.
  [[ -e /run/netns || -f "${dir}/run/netns-created" ]] || touch "${dir}/run/netns-created"
  kvirt::cluster::start containerd "$(command -v containerd)" --config "${cfg}/containerd.toml"
  kvirt::cluster::wait_for "containerd" 60 kvirt::cluster::ctr version
  local ref
  for ref in "${KVIRT_OUT_DIR}"/images/*.ref; do
    import_image "$(basename "${ref}" .ref)"
  done
}

# import_image NAME: imports _out/images/NAME.tar unless containerd has its reference.
import_image() {
  local name="$1" ref
  ref="$(cat "${KVIRT_OUT_DIR}/images/${name}.ref")"
  if kvirt::cluster::ctr images ls -q | grep -qxF "${ref}"; then
    return 0
  fi
  kvirt::log::info "importing ${ref}"
  kvirt::cluster::ctr images import "${KVIRT_OUT_DIR}/images/${name}.tar" >/dev/null
}

write_kubelet_config() {
  kvirt::cluster::write_file "${cfg}/kubelet.yaml" <<EOC
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The apiserver reaches the kubelet at the node's InternalIP (every node's port is 10250).
address: ${KVIRT_CLUSTER_NODE_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: "${cp_pki}/ca.crt"}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: "unix://${KVIRT_CLUSTER_CONTAINERD_SOCK}"
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
podLogsDir: "${dir}/pod-logs"
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
hairpinMode: hairpin-veth
serializeImagePulls: false
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
EOC
}

write_kube_proxy_config() {
  kvirt::cluster::write_file "${cfg}/kube-proxy.yaml" <<EOC
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "${cfg}/kube-proxy.kubeconfig"}
mode: iptables
hostnameOverride: ${node_name}
clusterCIDR: ${KVIRT_CLUSTER_POD_SUBNET}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["${KVIRT_CLUSTER_NODE_IP}/32"]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOC
}

kube_components_up() {
  local kc="${cfg}"
  kvirt::cluster::start kube-controller-manager "${bin_dir}/kube-controller-manager" \
    --kubeconfig="${kc}/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="${kc}/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="${kc}/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="${cp_pki}/sa.key" --root-ca-file="${cp_pki}/ca.crt" \
    --cluster-signing-cert-file="${cp_pki}/ca.crt" --cluster-signing-key-file="${cp_pki}/ca.key" \
    --service-cluster-ip-range=10.96.0.0/16
  kvirt::cluster::start kube-scheduler "${bin_dir}/kube-scheduler" \
    --kubeconfig="${kc}/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="${kc}/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="${kc}/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false
  write_kubelet_config
  mkdir -p "${dir}/kubelet" "${dir}/pod-logs"
  kvirt::cluster::start kubelet "${bin_dir}/kubelet" --config="${cfg}/kubelet.yaml" \
    --kubeconfig="${kc}/kubelet.kubeconfig" --root-dir="${dir}/kubelet" \
    --hostname-override="${node_name}" --node-ip="${KVIRT_CLUSTER_NODE_IP}"
  write_kube_proxy_config
  kvirt::cluster::start kube-proxy "${bin_dir}/kube-proxy" --config="${cfg}/kube-proxy.yaml"
  apiserver_endpoints
}

# apiserver_endpoints: with --endpoint-reconciler-type=none nothing publishes the
# endpoints of the default/kubernetes Service; point it at the node IP so pods reach
# the apiserver through kube-proxy.
apiserver_endpoints() {
  kvirt::cluster::kubectl apply --server-side --field-manager=kvirt-cluster-up -f - >/dev/null <<EOC
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels:
    kubernetes.io/service-name: kubernetes
    endpointslice.kubernetes.io/managed-by: kvirt-cluster-up
addressType: IPv4
endpoints:
- addresses: ["${KVIRT_CLUSTER_NODE_IP}"]
  conditions: {ready: true}
ports:
- {name: https, port: ${KVIRT_CLUSTER_APISERVER_PORT}, protocol: TCP}
EOC
}

node_ready() {
  [[ "$(kvirt::cluster::kubectl get node "${node_name}" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]
}

# wait_node_ready: the node is Ready and pods can be created in the default namespace
# (the controller-manager has made its ServiceAccount).
wait_node_ready() {
  kvirt::cluster::wait_for "node ${node_name} Ready" 180 node_ready
  kvirt::cluster::wait_for "ServiceAccount default/default" 60 \
    kvirt::cluster::kubectl -n default get serviceaccount default
}
