#!/usr/bin/env bash
# Runs a local etcd + kube-apiserver (versions pinned in hack/lib/versions.sh) for
# development, detached from this shell, with state in _out/control-plane/.
#
#   hack/control-plane.sh up      build binaries if needed, start (no-op when already
#                                 running), install CRDs from manifests/crds, print the
#                                 kubeconfig path
#   hack/control-plane.sh status  say whether it runs (exit 3 when it does not)
#   hack/control-plane.sh down    stop exactly the processes `up` started, verify
#                                 they are gone, remove the state (logs are kept)
#
# Local kvirt components: every executable hack/local/*.sh is run with `up` after the
# control plane is ready (in name order) and with `down` before it stops (in reverse
# order). Each gets KUBECONFIG and KVIRT_LOCAL_DIR (_out/control-plane/local) in its
# environment, starts its process detached with a PID file there, and stops exactly
# that process on `down`.
#
# Extra flags go to kvirt-control-plane, e.g. `up --apiserver-port=16444`.
# Then: export KUBECONFIG=_out/control-plane/kubeconfig; _out/bin/kubectl get ns
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

cmd="${1:-}"
case "${cmd}" in
  up | down | status) shift ;;
  *) kvirt::log::fatal "usage: $0 up|down|status [kvirt-control-plane flags]" ;;
esac

work_dir="${KVIRT_OUT_DIR}/control-plane"
cli="${KVIRT_OUT_DIR}/bin/kvirt-control-plane"

# The CLI is tiny next to the apiserver; rebuilding it is a cached no-op.
build_cli() {
  mkdir -p "${KVIRT_OUT_DIR}/bin"
  (cd "${KVIRT_ROOT}" && go build -o "${cli}" ./tests/framework/controlplane/cmd/kvirt-control-plane)
}

run_cli() {
  "${cli}" "$1" --work-dir="${work_dir}" "${@:2}"
}

# pids_before_down prints the PIDs recorded by `up`, to check after `down`.
pids_before_down() {
  local f
  for f in "${work_dir}"/*.pid; do
    [[ -f "${f}" ]] && cat "${f}"
  done
  return 0
}

# local_components up|down runs hack/local/*.sh (see the header).
local_components() {
  local action="$1" scripts=() s
  shopt -s nullglob
  scripts=("${KVIRT_ROOT}"/hack/local/*.sh)
  shopt -u nullglob
  [[ "${#scripts[@]}" -gt 0 ]] || return 0
  if [[ "${action}" == down ]]; then
    local reversed=()
    for ((i = ${#scripts[@]} - 1; i >= 0; i--)); do reversed+=("${scripts[i]}"); done
    scripts=("${reversed[@]}")
  fi
  mkdir -p "${work_dir}/local"
  for s in "${scripts[@]}"; do
    [[ -x "${s}" ]] || continue
    kvirt::log::info "${action} $(basename "${s}" .sh)"
    KUBECONFIG="${work_dir}/kubeconfig" KVIRT_LOCAL_DIR="${work_dir}/local" "${s}" "${action}"
  done
}

case "${cmd}" in
  up)
    bin_dir="$("${KVIRT_ROOT}/hack/build-control-plane-bins.sh")"
    build_cli
    # Convenience: a kubectl of the pinned version next to the CLI.
    ln -sfn "${bin_dir}/kubectl" "${KVIRT_OUT_DIR}/bin/kubectl"
    kvirt::log::info "ensuring the control plane runs in ${work_dir}"
    run_cli up --bin-dir="${bin_dir}" --crd-dir="${KVIRT_ROOT}/manifests/crds" "$@"
    local_components up
    ;;
  status)
    build_cli
    run_cli status "$@"
    ;;
  down)
    build_cli
    pids="$(pids_before_down)"
    local_components down
    kvirt::log::info "stopping control plane in ${work_dir}"
    run_cli down "$@"
    for pid in ${pids}; do
      if kill -0 "${pid}" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/${pid}/status" 2>/dev/null; then
        kvirt::log::fatal "pid ${pid} still running after down"
      fi
    done
    ;;
esac
