#!/usr/bin/env bash
# Shared helpers for hack/*.sh. Source it; it does nothing on its own.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Provides KVIRT_ROOT, KVIRT_CACHE_DIR, KVIRT_OUT_DIR, the pinned versions from
# versions.sh, and kvirt::log::* / kvirt::control_plane::* helpers.

KVIRT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export KVIRT_ROOT

# shellcheck source=hack/lib/versions.sh
source "${KVIRT_ROOT}/hack/lib/versions.sh"

# Downloads and built tools live outside the repository, where git never sees them.
KVIRT_CACHE_DIR="${KVIRT_CACHE_DIR:-${HOME}/.cache/kvirt}"
export KVIRT_CACHE_DIR
# Per-checkout outputs (git-ignored).
KVIRT_OUT_DIR="${KVIRT_ROOT}/_out"

kvirt::log::info() {
  echo "+++ [$(date +%H:%M:%S)] $*" >&2
}

kvirt::log::error() {
  echo "!!! [$(date +%H:%M:%S)] $*" >&2
}

kvirt::log::fatal() {
  kvirt::log::error "$@"
  exit 1
}

# Directory holding etcd, kube-apiserver and kubectl at the pinned versions. Its name
# carries both versions, so a version bump never reuses a stale binary. Keep in sync
# with controlplane.DefaultBinDir (tests/framework/controlplane/binaries.go).
kvirt::control_plane::bin_dir() {
  echo "${KVIRT_CACHE_DIR}/bin/kube-${KUBE_VERSION}_etcd-${ETCD_VERSION}"
}

# Directory holding the CSI sidecars built by hack/build-csi-bins.sh; its name carries
# every pinned CSI version, so a version bump never reuses a stale binary.
kvirt::multus::bin_dir() {
  echo "${KVIRT_CACHE_DIR}/bin/multus-${MULTUS_VERSION}"
}

kvirt::csi::bin_dir() {
  echo "${KVIRT_CACHE_DIR}/bin/csi-provisioner-${CSI_PROVISIONER_VERSION}_attacher-${CSI_ATTACHER_VERSION}_resizer-${CSI_RESIZER_VERSION}_snapshotter-${CSI_SNAPSHOTTER_VERSION}"
}

# Staging modules (k8s.io/api, ...) are tagged v0.<minor>.<patch> for k8s v1.<minor>.<patch>.
kvirt::kube::staging_version() {
  echo "v0.${KUBE_VERSION#v1.}"
}

# kvirt::deps GROUP...: makes sure the packages of those groups are installed
# (hack/install-deps.sh, the one place that installs them; instant when they are).
kvirt::deps() {
  "${KVIRT_ROOT}/hack/install-deps.sh" "$@"
}

# kvirt::step::run DESCRIPTION ESTIMATE LOG COMMAND...: runs a long step with its
# output in LOG, says up front what it does and roughly how long it takes, prints a
# line every 30 s while it runs (with how many lines the log has, e.g. Go packages
# compiled under -v), and on failure names the step and the log and shows its end.
kvirt::step::run() {
  local what="$1" estimate="$2" log="$3" pid rc=0 started=${SECONDS} next
  shift 3
  mkdir -p "$(dirname "${log}")"
  kvirt::log::info "${what} (${estimate}); log: ${log}"
  "$@" >"${log}" 2>&1 &
  pid=$!
  next=$((SECONDS + 30))
  while kill -0 "${pid}" 2>/dev/null; do
    if ((SECONDS >= next)); then
      kvirt::log::info "  ... ${what}: $((SECONDS - started))s so far, $(wc -l <"${log}") log lines"
      next=$((SECONDS + 30))
    fi
    sleep 1
  done
  wait "${pid}" || rc=$?
  if ((rc != 0)); then
    kvirt::log::error "step failed after $((SECONDS - started))s: ${what} (exit ${rc})"
    kvirt::log::error "log: ${log}; its last lines:"
    tail -n 20 "${log}" >&2
    return "${rc}"
  fi
  kvirt::log::info "${what}: done in $((SECONDS - started))s"
}
