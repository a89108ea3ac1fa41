#!/usr/bin/env bash
# Starts virt-api as a local process next to hack/control-plane.sh's apiserver
# (`up`) or stops it (`down`). `up` builds virt-api, writes a self-signed serving
# certificate for loopback, starts virt-api detached on 127.0.0.1:$VIRT_API_PORT
# and registers its webhooks (by URL on loopback) and its APIService (through an
# ExternalName Service to localhost, which the aggregator resolves).
# virt-api reaches virt-handler's node API (pause, console, ...) with the client
# certificate of hack/lib/node-api-certs.sh, shared with hack/local/virt-handler.sh.
# Env: KUBECONFIG, KVIRT_LOCAL_DIR (set by control-plane.sh), VIRT_API_PORT (18443).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=hack/lib/node-api-certs.sh
source "${ROOT}/hack/lib/node-api-certs.sh"
NODE_API_CERTS="${KVIRT_LOCAL_DIR:-}/node-api"
: "${KUBECONFIG:?set by hack/control-plane.sh}"
: "${KVIRT_LOCAL_DIR:?set by hack/control-plane.sh}"
PORT="${VIRT_API_PORT:-18443}"
DIR="${KVIRT_LOCAL_DIR}/virt-api"
PID_FILE="${DIR}/virt-api.pid"
KUBECTL="${ROOT}/_out/bin/kubectl"
[ -x "${KUBECTL}" ] || KUBECTL=kubectl

up() {
  mkdir -p "${DIR}"
  if [ -f "${PID_FILE}" ] && kill -0 "$(cat "${PID_FILE}")" 2>/dev/null; then
    echo "virt-api already running (pid $(cat "${PID_FILE}"))"
    return
  fi
  echo "building virt-api"
  (cd "${ROOT}" && go build -o "${DIR}/virt-api" ./cmd/virt-api)
  echo "writing a loopback serving certificate"
  (cd "${ROOT}" && go run ./hack/selfsigned --dir "${DIR}" --hosts 127.0.0.1,localhost,virt-api.kubevirt.svc)
  kvirt::node_api::certs "${NODE_API_CERTS}"
  echo "starting virt-api on 127.0.0.1:${PORT} (log ${DIR}/virt-api.log)"
  setsid "${DIR}/virt-api" --kubeconfig "${KUBECONFIG}" --bind-address 127.0.0.1 --port "${PORT}" \
    --tls-cert-file "${DIR}/tls.crt" --tls-private-key-file "${DIR}/tls.key" \
    --handler-client-cert "${NODE_API_CERTS}/virt-api/tls.crt" --handler-client-key "${NODE_API_CERTS}/virt-api/tls.key" \
    --handler-ca "${NODE_API_CERTS}/handler/tls.crt" --install-namespace kubevirt \
    >"${DIR}/virt-api.log" 2>&1 </dev/null &
  echo $! >"${PID_FILE}"
  # virt-api listens only once it is set up; wait for the port (bash, no curl).
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null && break
    kill -0 "$(cat "${PID_FILE}")" 2>/dev/null || { cat "${DIR}/virt-api.log"; exit 1; }
    sleep 0.2
  done
  echo "registering webhooks and the APIService"
  "${KUBECTL}" create namespace kubevirt --dry-run=client -o yaml | "${KUBECTL}" apply -f - >/dev/null
  (cd "${ROOT}" && go run ./hack/virt-api-manifests --url "https://127.0.0.1:${PORT}" \
    --ca-file "${DIR}/tls.crt" --port "${PORT}") | "${KUBECTL}" apply -f -
}

down() {
  "${KUBECTL}" delete validatingwebhookconfiguration virt-api-validator --ignore-not-found >/dev/null 2>&1 || true
  "${KUBECTL}" delete mutatingwebhookconfiguration virt-api-mutator --ignore-not-found >/dev/null 2>&1 || true
  "${KUBECTL}" delete apiservice v1.subresources.kubevirt.io --ignore-not-found >/dev/null 2>&1 || true
  if [ -f "${PID_FILE}" ]; then
    pid=$(cat "${PID_FILE}")
    if kill -0 "${pid}" 2>/dev/null; then
      echo "stopping virt-api (pid ${pid})"
      kill "${pid}"
    fi
    rm -f "${PID_FILE}"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
