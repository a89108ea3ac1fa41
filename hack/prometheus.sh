#!/usr/bin/env bash
# A Prometheus on loopback scraping kvirt's components on the local cluster (the
# e2e tier's TestPrometheus; docs/monitoring.md).
#
# Debian's prometheus has no Kubernetes service discovery, so a small loop lists
# the component pods (label kubevirt.io in virt-api, virt-controller, virt-handler,
# virt-operator) through the cluster's kubeconfig every 5 s and writes them as
# file_sd targets: pod IP and metrics port, with labels namespace, pod, component
# and the scheme of the port (a port named "metrics" serves plain HTTP, one whose
# name contains "https" serves TLS, scraped without verifying the certificate;
# virt-api serves /metrics on its "https" port). The rule file holds the spec.groups
# of the PrometheusRule virt-operator installs (hack/prometheus-rules).
#
# Everything lives in _out/prometheus/ (KVIRT_PROMETHEUS_DIR): config, rules,
# targets, TSDB, logs, pids.
# Scrape and rule evaluation every 5 s.
#
# Usage: hack/prometheus.sh start|stop|url
#   start  starts Prometheus and the discovery loop, prints the URL once ready
#   stop   stops exactly the two processes start started
#   url    prints the URL of the running Prometheus (exit 1 when none runs)
# Environment: KVIRT_PROMETHEUS_KUBECONFIG (default _out/cluster/kubeconfig),
# KVIRT_E2E_KUBECTL (default the control plane's kubectl), KVIRT_NAMESPACE
# (default kubevirt), KVIRT_PROMETHEUS_PORT (default: the first free from 19090).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

state="${KVIRT_PROMETHEUS_DIR:-${KVIRT_OUT_DIR}/prometheus}"
kubeconfig="${KVIRT_PROMETHEUS_KUBECONFIG:-${KVIRT_CLUSTER_KUBECONFIG}}"
kubectl="${KVIRT_E2E_KUBECTL:-$(kvirt::control_plane::bin_dir)/kubectl}"
namespace="${KVIRT_NAMESPACE:-kubevirt}"
components="virt-api,virt-controller,virt-handler,virt-operator"

# alive NAME: the pid in ${state}/NAME.pid runs and is ours (its command line
# names the state directory, so a reused pid is never mistaken for it).
alive() {
  local pid
  pid="$(cat "${state}/$1.pid" 2>/dev/null)" || return 1
  [[ -n "${pid}" && -r "/proc/${pid}/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -qF "${state}"
}

url() {
  echo "http://127.0.0.1:$(cat "${state}/port")"
}

# free_port: the first port from 19090 nothing listens on.
free_port() {
  local p
  for ((p = 19090; p < 19190; p++)); do
    if [[ -z "$(ss -Htln "sport = :${p}" 2>/dev/null)" ]]; then
      echo "${p}"
      return
    fi
  done
  kvirt::log::fatal "no free port in 19090-19189"
}

# targets: the file_sd JSON of the component pods now running (fails, writing
# nothing, when the pods cannot be listed: the previous targets stay).
targets() {
  local jsonpath pods sep="" name ip comp ports port scheme p
  # "|" separates the fields: read collapses runs of whitespace separators, and
  # a pod may have no IP yet.
  jsonpath='{range .items[*]}{.metadata.name}{"|"}{.status.podIP}{"|"}{.metadata.labels.kubevirt\.io}{"|"}'
  jsonpath+='{range .spec.containers[*].ports[*]}{.name}={.containerPort} {end}{"\n"}{end}'
  pods="$("${kubectl}" --kubeconfig "${kubeconfig}" -n "${namespace}" get pods \
    -l "kubevirt.io in (${components})" --field-selector status.phase=Running -o jsonpath="${jsonpath}")" || return 1
  echo "["
  while IFS='|' read -r name ip comp ports; do
    [[ -n "${name}" && -n "${ip}" ]] || continue
    port="" scheme=""
    for p in ${ports}; do # a metrics port wins over virt-api's https port
      case "${p%%=*}" in
        *metrics*)
          port="${p#*=}" scheme=http
          [[ "${p%%=*}" != *https* ]] || scheme=https
          break
          ;;
        https) [[ -n "${port}" ]] || port="${p#*=}" scheme=https ;;
      esac
    done
    [[ -n "${port}" ]] || continue
    printf '%s{"targets":["%s:%s"],"labels":{"namespace":"%s","pod":"%s","component":"%s","__scheme__":"%s"}}\n' \
      "${sep}" "${ip}" "${port}" "${namespace}" "${name}" "${comp}" "${scheme}"
    sep=","
  done <<<"${pods}"
  echo "]"
}

# discover: rewrites the targets every 5 s (atomically: Prometheus watches the file).
discover() {
  local out="${state}/targets/kvirt.json"
  while true; do
    if targets >"${out}.tmp" 2>>"${state}/discover.log"; then
      mv -f "${out}.tmp" "${out}"
    fi
    sleep 5
  done
}

write_config() {
  mkdir -p "${state}/targets" "${state}/data"
  [[ -f "${state}/targets/kvirt.json" ]] || echo "[]" >"${state}/targets/kvirt.json"
  (cd "${KVIRT_ROOT}" && go run ./hack/prometheus-rules "${namespace}") >"${state}/rules.yml"
  cat >"${state}/prometheus.yml" <<EOF
# Written by hack/prometheus.sh start.
global:
  scrape_interval: 5s
  scrape_timeout: 4s
  evaluation_interval: 5s
rule_files:
  - ${state}/rules.yml
scrape_configs:
  - job_name: kvirt
    # The series' own namespace/name (a VMI's) win over the target's labels,
    # as the ServiceMonitor's honorLabels makes them win for prometheus-operator.
    honor_labels: true
    tls_config:
      insecure_skip_verify: true
    file_sd_configs:
      - files: ["${state}/targets/*.json"]
        refresh_interval: 5s
EOF
  promtool check config "${state}/prometheus.yml" >"${state}/promtool.log" 2>&1 ||
    kvirt::log::fatal "invalid Prometheus config: $(cat "${state}/promtool.log")"
}

start() {
  kvirt::deps monitoring >/dev/null
  if alive prometheus || alive discover; then
    kvirt::log::fatal "Prometheus already runs at $(url) (hack/prometheus.sh stop first)"
  fi
  [[ -r "${kubeconfig}" ]] || kvirt::log::fatal "no kubeconfig at ${kubeconfig} (is the local cluster up?)"
  [[ -x "${kubectl}" ]] || kvirt::log::fatal "no kubectl at ${kubectl} (make control-plane-bins)"
  mkdir -p "${state}"
  write_config
  local port="${KVIRT_PROMETHEUS_PORT:-$(free_port)}"
  echo "${port}" >"${state}/port"
  nohup "${BASH_SOURCE[0]}" __discover "${state}" >>"${state}/discover.log" 2>&1 &
  echo $! >"${state}/discover.pid"
  nohup prometheus --config.file "${state}/prometheus.yml" --storage.tsdb.path "${state}/data" \
    --web.listen-address "127.0.0.1:${port}" >"${state}/prometheus.log" 2>&1 &
  echo $! >"${state}/prometheus.pid"
  local deadline=$((SECONDS + 60))
  until curl -fsS "$(url)/-/ready" >/dev/null 2>&1; do
    if ! alive prometheus || ((SECONDS > deadline)); then
      stop
      kvirt::log::fatal "Prometheus did not become ready; the end of ${state}/prometheus.log: $(tail -n 20 "${state}/prometheus.log")"
    fi
    sleep 0.5
  done
  url
}

# stop_one NAME: stops the process of NAME.pid (TERM, then KILL after 10 s).
stop_one() {
  local pid i
  if alive "$1"; then
    pid="$(cat "${state}/$1.pid")"
    kill "${pid}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      alive "$1" || break
      sleep 0.1
    done
    alive "$1" && kill -9 "${pid}" 2>/dev/null
  fi
  rm -f "${state}/$1.pid"
}

stop() {
  stop_one discover
  stop_one prometheus
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url)
    alive prometheus || kvirt::log::fatal "no Prometheus runs (hack/prometheus.sh start)"
    url
    ;;
  __discover) discover ;; # started by start, with the state directory as $2 (see alive)
  *) kvirt::log::fatal "usage: $0 start|stop|url" ;;
esac
