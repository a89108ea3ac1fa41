#!/usr/bin/env bash
# The main job on a fresh machine: bring up the local single-node cluster
# (hack/cluster-up.sh), install kvirt through its operator (hack/cluster-sync.sh),
# create the example VirtualMachine docs/examples/vm-testguest.yaml, start it and
# show its serial console, read through the subresource API with virtctl, until the
# guest has booted and run its cloud-init user data. Leaves the VM running; stop
# everything with `make cluster-down`.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

started=${SECONDS}
[[ "${EUID}" -eq 0 ]] || kvirt::log::fatal "make demo needs root (it installs packages and runs a kubelet)"
if [[ ! -x "$(kvirt::control_plane::bin_dir)/kubelet" ]]; then
  kvirt::log::info "first run on this machine: about 15-20 minutes on 2 cores (Debian packages, then"
  kvirt::log::info "Kubernetes built from source, kvirt's images, the install); later runs take about a minute"
fi
kvirt::deps build cluster
"${KVIRT_ROOT}/hack/cluster-up.sh"
"${KVIRT_ROOT}/hack/cluster-sync.sh"

kubectl=(kvirt::cluster::kubectl)
virtctl=("${KVIRT_OUT_DIR}/bin/virtctl" --kubeconfig "${KVIRT_CLUSTER_KUBECONFIG}")
image="$(cat "${KVIRT_OUT_DIR}/images/test-guest-containerdisk.ref")"

kvirt::log::info "creating VirtualMachine testvm (docs/examples/vm-testguest.yaml)"
sed "s#kvirt.local/test-guest-containerdisk:devel#${image}#" "${KVIRT_ROOT}/docs/examples/vm-testguest.yaml" |
  "${kubectl[@]}" apply -f -
if ! "${kubectl[@]}" get vmi testvm >/dev/null 2>&1; then # a re-run finds it running
  "${virtctl[@]}" start testvm
fi
"${kubectl[@]}" wait vmi/testvm --for=jsonpath='{.status.phase}'=Running --timeout=300s
"${kubectl[@]}" get vm,vmi -o wide
kvirt::log::info "serial console of testvm (virtctl console testvm):"
"${virtctl[@]}" console testvm --timeout 5m --until 'printed from cloud-init userdata'
kvirt::log::info "done in $((SECONDS - started))s"

cat <<MSG

The cluster keeps running with kvirt installed and testvm running. Use it with:
  export KUBECONFIG=${KVIRT_CLUSTER_KUBECONFIG}
  ${KVIRT_OUT_DIR}/bin/kubectl get vm,vmi
  ${KVIRT_OUT_DIR}/bin/virtctl console testvm     # Ctrl+] leaves
  ${KVIRT_OUT_DIR}/bin/virtctl stop testvm
Tear it all down with: make cluster-down
MSG
