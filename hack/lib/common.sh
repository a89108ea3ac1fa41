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

# Staging modules (k8s.io/api, ...) are tagged v0.<minor>.<patch> for k8s v1.<minor>.<patch>.
kvirt::kube::staging_version() {
  echo "v0.${KUBE_VERSION#v1.}"
}
