#!/usr/bin/env bash
# Runs virt-handler as a local process against the control plane of
# hack/control-plane.sh (which calls this with up/down, KUBECONFIG and
# KVIRT_LOCAL_DIR set). `up` registers a Node object for it (no kubelet runs
# here), builds and starts virt-handler detached with a PID file; `down` stops
# exactly that process. Needs root, libvirt and QEMU (see docs/node.md); without
# them `up` says so and does nothing. Its node API for virt-api listens on
# 127.0.0.1:$VIRT_HANDLER_NODE_API_PORT (18186), published on the Node, with the
# certificates of hack/lib/node-api-certs.sh shared with hack/local/virt-api.sh.
#
# Launchers are then started by hand, one per VMI, as a launcher pod would (see
# tests/framework/nodeenv: a Pod object on the node controlled by the VMI, the
# socket volume at <pods dir>/<pod uid>/volumes/kubernetes.io~empty-dir/kvirt-sockets,
# the launcher in a cgroup named pod<pod uid>):
#   _out/bin/virt-launcher --socket-dir "$KVIRT_LOCAL_DIR/virt-handler/pods/<pod uid>/volumes/kubernetes.io~empty-dir/kvirt-sockets" \
#     --vmi-uid <vmi uid> ...   (a socket path over 107 bytes needs a shorter bind mount, as nodeenv does)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=hack/lib/node-api-certs.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/node-api-certs.sh"

: "${KUBECONFIG:?run through hack/control-plane.sh}"
: "${KVIRT_LOCAL_DIR:?run through hack/control-plane.sh}"
node="${KVIRT_NODE_NAME:-kvirt-local}"
dir="${KVIRT_LOCAL_DIR}/virt-handler"
pid_file="${dir}/virt-handler.pid"
certs="${KVIRT_LOCAL_DIR}/node-api"
node_api_port="${VIRT_HANDLER_NODE_API_PORT:-18186}"

case "${1:-}" in
up)
  if [[ "$(id -u)" != 0 ]] || ! command -v libvirtd >/dev/null || ! command -v qemu-system-x86_64 >/dev/null; then
    kvirt::log::info "virt-handler: skipped (needs root, libvirtd and qemu-system-x86_64; see docs/node.md)"
    exit 0
  fi
  if [[ -f "${pid_file}" ]] && kill -0 "$(cat "${pid_file}")" 2>/dev/null; then
    kvirt::log::info "virt-handler already runs (pid $(cat "${pid_file}"))"
    exit 0
  fi
  mkdir -p "${dir}/pods" "${dir}/state" "${KVIRT_OUT_DIR}/bin"
  (cd "${KVIRT_ROOT}" && go build -o "${KVIRT_OUT_DIR}/bin/" ./cmd/virt-handler ./cmd/virt-launcher)
  "${KVIRT_OUT_DIR}/bin/kubectl" get node "${node}" >/dev/null 2>&1 ||
    printf 'apiVersion: v1\nkind: Node\nmetadata:\n  name: %s\n' "${node}" |
    "${KVIRT_OUT_DIR}/bin/kubectl" apply -f - >/dev/null
  kvirt::node_api::certs "${certs}"
  setsid "${KVIRT_OUT_DIR}/bin/virt-handler" --kubeconfig "${KUBECONFIG}" --node-name "${node}" \
    --kubelet-pods-dir "${dir}/pods" --state-dir "${dir}/state" --device-plugin-dir "" --node-api-listen "127.0.0.1:${node_api_port}" \
    --node-api-cert "${certs}/handler/tls.crt" --node-api-key "${certs}/handler/tls.key" \
    --node-api-client-ca "${certs}/virt-api/tls.crt" >"${dir}/virt-handler.log" 2>&1 </dev/null &
  echo $! >"${pid_file}"
  kvirt::log::info "virt-handler started (pid $!, node ${node}, log ${dir}/virt-handler.log)"
  ;;
down)
  [[ -f "${pid_file}" ]] || exit 0
  pid=$(cat "${pid_file}")
  if kill -0 "${pid}" 2>/dev/null; then
    kill "${pid}"
    for _ in $(seq 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
    kill -0 "${pid}" 2>/dev/null && kill -9 "${pid}"
  fi
  rm -f "${pid_file}"
  kvirt::log::info "virt-handler stopped"
  ;;
*)
  kvirt::log::fatal "usage: $0 up|down"
  ;;
esac
