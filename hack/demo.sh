#!/usr/bin/env bash
# The main job of a fresh checkout, as far as kvirt goes today: bring up the pinned
# control plane with kvirt's CRDs, create the upstream vm-cirros example and show it.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

"${KVIRT_ROOT}/hack/control-plane.sh" up >/dev/null
kubeconfig="${KVIRT_OUT_DIR}/control-plane/kubeconfig"
kubectl=("${KVIRT_OUT_DIR}/bin/kubectl" --kubeconfig "${kubeconfig}")

kvirt::log::info "creating the example VirtualMachine vm-cirros"
"${kubectl[@]}" apply -f "${KVIRT_ROOT}/docs/examples/vm-cirros.yaml"
"${kubectl[@]}" get virtualmachines
"${kubectl[@]}" api-resources --api-group=kubevirt.io

cat <<MSG

The control plane runs detached. Use it with:
  export KUBECONFIG=${kubeconfig}
  ${KVIRT_OUT_DIR}/bin/kubectl get vm
Stop it with: make control-plane-down
MSG
