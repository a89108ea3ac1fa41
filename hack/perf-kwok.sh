#!/usr/bin/env bash
# make perf-kwok: the control plane at scale on KWOK fake nodes (docs/perf-kwok.md).
# Brings up the local cluster and installs kvirt through its operator when needed
# (as make functest does), starts the e2e tier's Prometheus and KWOK with
# KWOK_NODES fake nodes, then tests/perf/kwok creates KWOK_VMIS objects of
# KWOK_KIND at KWOK_RATE per second (0: as fast as the API allows), waits for all
# to run, deletes them and writes KWOK_OUT/kwok-report.md (and .json, PNG plots).
# Everything KWOK added is removed afterwards, also on failure.
#
# Environment: KWOK_NODES (8000), KWOK_VMIS (8000), KWOK_RATE (0; 10 is upstream's
# 100 ms pacing), KWOK_KIND (vmi|vm|vm-instancetype|vmirs; vmi), KWOK_TIMEOUT (30m),
# KWOK_OUT (_out/perf), KWOK_STAGES (see hack/kwok.sh), KWOK_RUNS (space-separated
# KIND[@RATE] runs, one after another on the same fake nodes, each into
# KWOK_OUT/<n>-<kind>-<rate>; unset: one run of KWOK_KIND at KWOK_RATE into KWOK_OUT).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

nodes="${KWOK_NODES:-8000}"
vmis="${KWOK_VMIS:-8000}"
rate="${KWOK_RATE:-0}"
kind="${KWOK_KIND:-vmi}"
timeout="${KWOK_TIMEOUT:-30m}"
out="${KWOK_OUT:-${KVIRT_OUT_DIR}/perf}"

kvirt::deps monitoring
"${KVIRT_ROOT}/hack/cluster-up.sh"
"${KVIRT_ROOT}/hack/cluster-sync.sh"
cd "${KVIRT_ROOT}"

cleanup() {
  local rc=$?
  "${KVIRT_ROOT}/hack/kwok.sh" down || rc=1
  "${KVIRT_ROOT}/hack/prometheus.sh" stop || true
  exit "${rc}"
}
trap cleanup EXIT

prometheus="$("${KVIRT_ROOT}/hack/prometheus.sh" start | tail -n1)"
"${KVIRT_ROOT}/hack/kwok.sh" up "${nodes}"
driver="${KVIRT_OUT_DIR}/bin/kwok-perf"
go build -o "${driver}" ./tests/perf/kwok

# run KIND RATE DIR: one measured run, its report's head on the terminal.
run() {
  mkdir -p "$3"
  kvirt::log::info "${vmis} $1 objects on ${nodes} fake nodes at rate $2/s; report in $3"
  "${driver}" -kubeconfig "${KVIRT_CLUSTER_KUBECONFIG}" -vmis "${vmis}" -rate "$2" \
    -kind "$1" -timeout "${timeout}" -out "$3" -prometheus "${prometheus}"
  head -n 5 "$3/kwok-report.md"
}

if [[ -z "${KWOK_RUNS:-}" ]]; then
  run "${kind}" "${rate}" "${out}"
  exit 0
fi
n=0
for spec in ${KWOK_RUNS}; do
  n=$((n + 1))
  k="${spec%@*}" r="${rate}"
  [[ "${spec}" == *@* ]] && r="${spec#*@}"
  run "${k}" "${r}" "${out}/${n}-${k}-${r}"
done
