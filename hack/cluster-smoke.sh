#!/usr/bin/env bash
# Checks the local cluster of hack/cluster-up.sh end to end: the node is Ready, a pod
# of kvirt.local/busybox (hack/build-images.sh busybox) is scheduled, gets a pod IP on
# the bridge, reaches the apiserver through the kubernetes Service (kube-proxy), and
# its logs and exec work through the apiserver -> kubelet path. Then every kvirt image
# built by hack/build-images.sh (_out/images/virt-*.ref) runs once in a pod: the
# component binaries print their version, virt-launcher also QEMU's and libvirtd's;
# the importer image (when built) runs qemu-img as its UID 107.
# Deletes its namespace after.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

kubectl=(kvirt::cluster::kubectl)
ns=kvirt-smoke
pod=smoke

"${KVIRT_ROOT}/hack/build-images.sh" --import busybox
ref="$(cat "${KVIRT_OUT_DIR}/images/busybox.ref")"

"${kubectl[@]}" create namespace "${ns}" --dry-run=client -o yaml | "${kubectl[@]}" apply -f - >/dev/null
# The controller-manager creates the default ServiceAccount; pods wait for it.
kvirt::cluster::wait_for "default ServiceAccount" 60 "${kubectl[@]}" -n "${ns}" get serviceaccount default
"${kubectl[@]}" -n "${ns}" delete pod "${pod}" --ignore-not-found --wait=true >/dev/null
started=${SECONDS}
"${kubectl[@]}" -n "${ns}" apply -f - >/dev/null <<EOC
apiVersion: v1
kind: Pod
metadata:
  name: ${pod}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: busybox
    image: ${ref}
    imagePullPolicy: Never
    command: ["/bin/sh", "-c"]
    args:
    - |
      echo "smoke: hello from \$(hostname)"
      if nc -w 5 "\${KUBERNETES_SERVICE_HOST}" "\${KUBERNETES_SERVICE_PORT}" </dev/null; then
        echo "smoke: apiserver reachable at \${KUBERNETES_SERVICE_HOST}:\${KUBERNETES_SERVICE_PORT}"
      fi
      exec sleep 3600
EOC

running() {
  [[ "$("${kubectl[@]}" -n "${ns}" get pod "${pod}" -o jsonpath='{.status.phase}')" == Running ]]
}
kvirt::cluster::wait_for "pod ${ns}/${pod} Running" 120 running
kvirt::log::info "pod Running $((SECONDS - started))s after creation"

has_logs() {
  "${kubectl[@]}" -n "${ns}" logs "${pod}" | grep -q "smoke: apiserver reachable"
}
if ! kvirt::cluster::wait_for "pod logs showing the apiserver reachable" 30 has_logs; then
  "${kubectl[@]}" -n "${ns}" logs "${pod}" >&2 || true
  exit 1
fi
"${kubectl[@]}" get nodes -o wide
"${kubectl[@]}" -n "${ns}" get pod "${pod}" -o wide
"${kubectl[@]}" -n "${ns}" logs "${pod}"
"${kubectl[@]}" -n "${ns}" exec "${pod}" -- ip -4 -o addr show eth0
"${kubectl[@]}" -n "${ns}" delete pod "${pod}" --now >/dev/null

# run_image NAME ARGS...: runs image NAME once with ARGS, waits for it to succeed and
# prints its output.
run_image() {
  local name="$1" ref
  shift
  ref="$(cat "${KVIRT_OUT_DIR}/images/${name}.ref")"
  "${kubectl[@]}" -n "${ns}" run "${name}" --restart=Never --image="${ref}" \
    --image-pull-policy=Never --command -- "$@" >/dev/null
  succeeded() {
    local phase
    phase="$("${kubectl[@]}" -n "${ns}" get pod "$1" -o jsonpath='{.status.phase}')"
    if [[ "${phase}" == Failed ]]; then
      "${kubectl[@]}" -n "${ns}" logs "$1" || true
      return 2
    fi
    [[ "${phase}" == Succeeded ]]
  }
  kvirt::cluster::wait_for "image ${ref} to run" 120 succeeded "${name}"
  "${kubectl[@]}" -n "${ns}" logs "${name}" | sed "s|^|${name}: |"
}

shopt -s nullglob
for ref_file in "${KVIRT_OUT_DIR}"/images/virt-*.ref; do
  name="$(basename "${ref_file}" .ref)"
  if [[ "${name}" == virt-launcher ]]; then
    run_image "${name}" /bin/sh -c 'qemu-system-x86_64 --version | head -n1 && libvirtd --version && virt-launcher --version'
  else
    run_image "${name}" "/usr/bin/${name}" --version
  fi
done
if [[ -f "${KVIRT_OUT_DIR}/images/importer.ref" ]]; then
  run_image importer /usr/bin/qemu-img --version
fi
"${kubectl[@]}" delete namespace "${ns}" --wait=true >/dev/null
kvirt::log::info "smoke test passed"
