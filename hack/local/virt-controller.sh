#!/usr/bin/env bash
# Starts (up) or stops (down) virt-controller as a local process against the
# control plane of hack/control-plane.sh, which runs this script with KUBECONFIG and
# KVIRT_LOCAL_DIR set. `up` builds _out/bin/virt-controller, makes sure the
# `default` namespace has its `default` ServiceAccount (no controller-manager runs to
# create it, and launcher pods need it), and starts the controller detached with
# its PID in $KVIRT_LOCAL_DIR/virt-controller.pid and its log beside it. It runs as
# the ServiceAccount kubevirt/kubevirt-controller (bound to cluster-admin, locally
# only) through a token kubeconfig, as it would in a cluster: virt-api treats only
# kvirt's own service accounts as allowed to write VMI status.
# $KVIRT_LAUNCHER_IMAGE, when set, is passed as --launcher-image.
# Metrics: http://127.0.0.1:${KVIRT_CONTROLLER_METRICS_PORT:-18090}/metrics.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

: "${KUBECONFIG:?run through hack/control-plane.sh}"
: "${KVIRT_LOCAL_DIR:?run through hack/control-plane.sh}"
pid_file="${KVIRT_LOCAL_DIR}/virt-controller.pid"
log_file="${KVIRT_LOCAL_DIR}/virt-controller.log"
bin="${KVIRT_OUT_DIR}/bin/virt-controller"
port="${KVIRT_CONTROLLER_METRICS_PORT:-18090}"

running() {
  [[ -f "${pid_file}" ]] && kill -0 "$(cat "${pid_file}")" 2>/dev/null &&
    grep -q virt-controller "/proc/$(cat "${pid_file}")/cmdline" 2>/dev/null
}

# service_account_kubeconfig KUBECTL: makes sure the kubevirt-controller service
# account exists with its binding and writes a kubeconfig that authenticates with a
# fresh token for it; prints the kubeconfig path.
service_account_kubeconfig() {
  local kubectl="$1" path="${KVIRT_LOCAL_DIR}/virt-controller.kubeconfig" token
  "${kubectl}" create namespace kubevirt --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
  "${kubectl}" -n kubevirt create serviceaccount kubevirt-controller --dry-run=client -o yaml |
    "${kubectl}" apply -f - >/dev/null
  "${kubectl}" create clusterrolebinding kvirt-local-controller --clusterrole=cluster-admin \
    --serviceaccount=kubevirt:kubevirt-controller --dry-run=client -o yaml | "${kubectl}" apply -f - >/dev/null
  token="$("${kubectl}" -n kubevirt create token kubevirt-controller --duration=48h)"
  cp "${KUBECONFIG}" "${path}"
  "${kubectl}" --kubeconfig="${path}" config set-credentials kubevirt-controller --token="${token}" >/dev/null
  "${kubectl}" --kubeconfig="${path}" config set-context "$("${kubectl}" --kubeconfig="${path}" config current-context)" \
    --user=kubevirt-controller >/dev/null
  echo "${path}"
}

case "${1:-}" in
  up)
    if running; then
      kvirt::log::info "virt-controller already runs (pid $(cat "${pid_file}"))"
      exit 0
    fi
    mkdir -p "${KVIRT_OUT_DIR}/bin" "${KVIRT_LOCAL_DIR}"
    (cd "${KVIRT_ROOT}" && go build -o "${bin}" ./cmd/virt-controller)
    kubectl="${KVIRT_OUT_DIR}/bin/kubectl"
    if ! "${kubectl}" -n default get serviceaccount default >/dev/null 2>&1; then
      "${kubectl}" -n default create serviceaccount default >/dev/null
    fi
    sa_kubeconfig="$(service_account_kubeconfig "${kubectl}")"
    nohup "${bin}" --kubeconfig="${sa_kubeconfig}" --metrics-bind-address="127.0.0.1:${port}" \
      --leader-elect-namespace=kube-system --allow-emulation --log-json=false \
      ${KVIRT_LAUNCHER_IMAGE:+--launcher-image="${KVIRT_LAUNCHER_IMAGE}"} \
      >"${log_file}" 2>&1 </dev/null &
    echo $! >"${pid_file}"
    for _ in $(seq 1 100); do
      if grep -q 'serving metrics' "${log_file}" 2>/dev/null; then
        kvirt::log::info "virt-controller runs (pid $(cat "${pid_file}"), log ${log_file})"
        exit 0
      fi
      running || kvirt::log::fatal "virt-controller exited; see ${log_file}"
      sleep 0.1
    done
    kvirt::log::fatal "virt-controller did not start within 10s; see ${log_file}"
    ;;
  down)
    if running; then
      pid="$(cat "${pid_file}")"
      kill -TERM "${pid}"
      for _ in $(seq 1 150); do
        kill -0 "${pid}" 2>/dev/null || break
        sleep 0.1
      done
      kill -0 "${pid}" 2>/dev/null && kill -KILL "${pid}"
      kvirt::log::info "virt-controller stopped (pid ${pid})"
    fi
    rm -f "${pid_file}"
    ;;
  *)
    kvirt::log::fatal "usage: $0 up|down"
    ;;
esac
