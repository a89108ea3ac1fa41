#!/usr/bin/env bash
# Certificates of the node API (virt-api -> virt-handler, mutual TLS) for the
# local developer loop. Source it; kvirt::node_api::certs DIR writes, once:
#   DIR/handler/tls.{crt,key}     virt-handler's serving pair for 127.0.0.1
#   DIR/virt-api/tls.{crt,key}    virt-api's client pair
# Both are self-signed, so each certificate is also the CA the other side trusts.
# Needs KVIRT_ROOT (hack/lib/common.sh) or ROOT.

kvirt::node_api::certs() {
  local dir="$1" root="${KVIRT_ROOT:-${ROOT:?}}"
  mkdir -p "${dir}/handler" "${dir}/virt-api"
  [[ -f "${dir}/handler/tls.crt" ]] ||
    (cd "${root}" && go run ./hack/selfsigned --dir "${dir}/handler" --cn virt-handler --hosts 127.0.0.1,localhost)
  # virt-handler serves only this client name (--node-api-allowed-client-names);
  # a pair from before the name was checked is written again.
  [[ -f "${dir}/virt-api/tls.crt" && -f "${dir}/virt-api/.cn-checked" ]] || {
    (cd "${root}" && go run ./hack/selfsigned --dir "${dir}/virt-api" --cn kubevirt.io:system:client:virt-handler --hosts localhost)
    touch "${dir}/virt-api/.cn-checked"
  }
}
