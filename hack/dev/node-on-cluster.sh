#!/usr/bin/env bash
# DEVELOPER AID, superseded by virt-operator (issue 6, A2): runs kvirt on the local
# cluster of hack/cluster-up.sh with the node side in pods and the rest on the host:
#   - virt-api and virt-controller as host processes (hack/local/*.sh) against
#     _out/cluster/kubeconfig; virt-controller renders launcher pods with the
#     virt-launcher image of _out/images/virt-launcher.ref and allows emulation;
#   - virt-handler as the contract's DaemonSet (hack/dev/virt-handler-daemonset.yaml,
#     image _out/images/virt-handler.ref), with self-signed node API certificates
#     in the contract's Secret/ConfigMap names;
#   - a KubeVirt CR kubevirt/kubevirt with developerConfiguration.useEmulation.
# Build and load the images first (make images); `up` again after rebuilding them.
# `down` removes what `up` started and the host directories of the node side.
# Usage: hack/dev/node-on-cluster.sh up|down
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

export KUBECONFIG="${KVIRT_OUT_DIR}/cluster/kubeconfig"
export KVIRT_LOCAL_DIR="${KVIRT_OUT_DIR}/cluster/dev"
kubectl="${KVIRT_OUT_DIR}/bin/kubectl"
certs="${KVIRT_LOCAL_DIR}/node-api"
# The kubelet serves its device plugin registration socket at the fixed path
# /var/lib/kubelet/device-plugins/kubelet.sock whatever its --root-dir (the local
# cluster's root dir is _out/cluster/kubelet), so that is where plugins must go.
kubelet_root="${KUBELET_ROOT_DIR:-/var/lib/kubelet}"

apply_certs() {
  local node_ip="$1"
  mkdir -p "${certs}/handler" "${certs}/virt-api"
  [[ -f "${certs}/handler/tls.crt" ]] || (cd "${KVIRT_ROOT}" && go run ./hack/selfsigned --dir "${certs}/handler" \
    --cn virt-handler --hosts "${node_ip},virt-handler.kubevirt.svc,127.0.0.1")
  [[ -f "${certs}/virt-api/tls.crt" ]] || (cd "${KVIRT_ROOT}" && go run ./hack/selfsigned --dir "${certs}/virt-api" \
    --cn kubevirt.io:system:client:virt-handler --hosts localhost)
  "${kubectl}" -n kubevirt create secret tls kubevirt-virt-handler-server-certs --cert "${certs}/handler/tls.crt" \
    --key "${certs}/handler/tls.key" --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
  "${kubectl}" -n kubevirt create configmap kubevirt-ca --from-file=ca-bundle="${certs}/virt-api/tls.crt" \
    --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
}

up() {
  local handler_image launcher_image node_ip
  handler_image="$(cat "${KVIRT_OUT_DIR}/images/virt-handler.ref")"
  launcher_image="$(cat "${KVIRT_OUT_DIR}/images/virt-launcher.ref")"
  node_ip="$("${kubectl}" get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')"
  "${kubectl}" create namespace kubevirt --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
  "${kubectl}" label namespace kubevirt pod-security.kubernetes.io/enforce=privileged --overwrite >/dev/null
  apply_certs "${node_ip}"
  "${kubectl}" apply -f - >/dev/null <<EOC
apiVersion: kubevirt.io/v1
kind: KubeVirt
metadata:
  name: kubevirt
  namespace: kubevirt
spec:
  configuration:
    developerConfiguration:
      useEmulation: true
EOC
  "${KVIRT_ROOT}/hack/local/virt-api.sh" up
  # Restarted so that it renders launcher pods with the image just built.
  "${KVIRT_ROOT}/hack/local/virt-controller.sh" down >/dev/null
  KVIRT_LAUNCHER_IMAGE="${launcher_image}" "${KVIRT_ROOT}/hack/local/virt-controller.sh" up
  sed -e "s|VIRT_HANDLER_IMAGE|${handler_image}|" -e "s|KUBELET_ROOT_DIR|${kubelet_root}|" \
    "${KVIRT_ROOT}/hack/dev/virt-handler-daemonset.yaml" | "${kubectl}" apply -f - >/dev/null
  "${kubectl}" -n kubevirt rollout status daemonset/virt-handler --timeout=120s
}

down() {
  "${kubectl}" delete -f "${KVIRT_ROOT}/hack/dev/virt-handler-daemonset.yaml" --ignore-not-found --wait=true \
    >/dev/null 2>&1 || true
  "${KVIRT_ROOT}/hack/local/virt-controller.sh" down || true
  "${KVIRT_ROOT}/hack/local/virt-api.sh" down || true
  # The node directories the handler and launcher pods created on the host, once
  # none of those pods is left (other checkouts' node tests may run virt-launcher
  # processes, so processes are no guide).
  "${kubectl}" -n kubevirt wait --for=delete pod -l kubevirt.io=virt-handler --timeout=60s >/dev/null 2>&1 || true
  if "${kubectl}" get pods -A -l kubevirt.io -o name 2>/dev/null | grep -q .; then
    kvirt::log::info "kvirt pods remain: leaving /var/run/kvirt, /var/lib/kvirt, /var/cache/kvirt"
  else
    rm -rf /var/run/kvirt /var/lib/kvirt /var/cache/kvirt
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) kvirt::log::fatal "usage: $0 up|down" ;;
esac
