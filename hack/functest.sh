#!/usr/bin/env bash
# The e2e tier: brings up the local cluster when it is not running, installs the
# current tree through the operator (hack/cluster-sync.sh) and runs tests/e2e.
# Extra arguments go to `go test` (e.g. -run TestVMLifecycle). KVIRT_PERF=1 adds the
# creation figures (make perf-local).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

kvirt::deps monitoring # TestPrometheus runs hack/prometheus.sh
"${KVIRT_ROOT}/hack/cluster-up.sh"
"${KVIRT_ROOT}/hack/cluster-sync.sh"
cd "${KVIRT_ROOT}"
KVIRT_E2E_KUBECTL="$(kvirt::control_plane::bin_dir)/kubectl" \
  go test -count=1 -timeout 40m ${GO_TEST_FLAGS:-} ./tests/e2e/... "$@"
