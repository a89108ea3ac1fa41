#!/usr/bin/env bash
# Installs (or updates) kvirt on the local cluster of hack/cluster-up.sh the way a
# user installs it: through virt-operator. Builds every image (hack/build-images.sh,
# test guest included) and loads it into the node, renders the release manifests
# with the built image references into _out/manifests/release/, applies the
# operator, then the KubeVirt CR, and waits until the CR is Available.
#
# The local node may have a /dev/kvm that hangs under nesting, so the CR allows
# software emulation (developerConfiguration.useEmulation: true); virt-handler still
# uses KVM where its probe shows KVM works. Idempotent: re-running rolls the
# components that changed (image references are content digests).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"

kubectl=(kvirt::cluster::kubectl)
images="${KVIRT_OUT_DIR}/images"
rendered="${KVIRT_OUT_DIR}/manifests/release"
timeout="${KVIRT_SYNC_TIMEOUT:-300}"

"${kubectl[@]}" get --raw /readyz >/dev/null 2>&1 ||
  kvirt::log::fatal "the local cluster does not answer: run make cluster-up first"

started=${SECONDS}
"${KVIRT_ROOT}/hack/build-images.sh" --import
(cd "${KVIRT_ROOT}" && go build -o "${KVIRT_OUT_DIR}/bin/" ./cmd/virtctl) # for the user and the e2e tests

# render FILE: the release manifest with every kvirt.local/<name>:devel replaced by
# the built reference. (KUBELET_ROOT_DIR stays /var/lib/kubelet: the kubelet serves
# device plugins under /var/lib/kubelet/device-plugins whatever its --root-dir.)
render() {
  local src="${KVIRT_ROOT}/manifests/release/$1" out="${rendered}/$1" expr=() ref name
  for ref in "${images}"/*.ref; do
    name="$(basename "${ref}" .ref)"
    expr+=(-e "s#kvirt.local/${name}:devel#$(cat "${ref}")#g")
  done
  sed "${expr[@]}" "${src}" >"${out}"
  if grep -q ':devel' "${out}"; then
    kvirt::log::fatal "$1 still names an unbuilt image: $(grep -o 'kvirt.local/[a-z-]*:devel' "${out}" | sort -u | tr '\n' ' ')"
  fi
}
mkdir -p "${rendered}"
render kvirt-operator.yaml
render kvirt-cr.yaml
# The local kubelet runs with --root-dir under the cluster dir: virt-handler reads
# launcher sockets from that kubelet's pods dir (KUBELET_PODS_DIR), while device
# plugins stay under /var/lib/kubelet. The physical path: a worktree whose _out is a
# symlink to the cluster's checkout must name the kubelet's own directory, or the
# runtime refuses the handler's mount of it (not a shared mount under that name).
pods_dir="$(cd "${KVIRT_CLUSTER_DIR}" && pwd -P)/kubelet/pods"
sed -i "/- name: KUBELET_ROOT_DIR/{n;s|\$|\n        - name: KUBELET_PODS_DIR\n          value: ${pods_dir}|}" \
  "${rendered}/kvirt-operator.yaml"
grep -q 'name: KUBELET_PODS_DIR' "${rendered}/kvirt-operator.yaml" ||
  kvirt::log::fatal "could not set KUBELET_PODS_DIR in the rendered operator manifest"
sed -i 's/useEmulation: false/useEmulation: true/' "${rendered}/kvirt-cr.yaml"

kvirt::log::info "installing virt-operator"
"${kubectl[@]}" apply --server-side --force-conflicts --field-manager=kvirt-cluster-sync \
  -f "${rendered}/kvirt-operator.yaml" >/dev/null
"${kubectl[@]}" -n kubevirt rollout status deployment/virt-operator --timeout="${timeout}s"
kvirt::log::info "applying the KubeVirt CR"
"${kubectl[@]}" apply --server-side --force-conflicts --field-manager=kvirt-cluster-sync \
  -f "${rendered}/kvirt-cr.yaml" >/dev/null
# The CR may still read Available from before this sync: wait until the operator has
# rolled every component to the images just built, then for Available.
runs_built() {
  local kind="$1" name="$2" want got
  want="$(cat "${images}/${name}.ref")"
  got="$("${kubectl[@]}" -n kubevirt get "${kind}" "${name}" -o jsonpath='{.spec.template.spec.containers[0].image}')"
  [[ "${got}" == "${want}" ]] || { echo "${kind}/${name} runs ${got:-nothing}, want ${want}"; return 1; }
}
for component in deployment/virt-api deployment/virt-controller daemonset/virt-handler; do
  kvirt::cluster::wait_for "${component} on the built image" "${timeout}" runs_built "${component%/*}" "${component#*/}"
  "${kubectl[@]}" -n kubevirt rollout status "${component}" --timeout="${timeout}s" >/dev/null
done
# available: true once the KubeVirt CR is Available; prints its phase and conditions.
available() {
  local state
  state="$("${kubectl[@]}" -n kubevirt get kubevirt kubevirt -o \
    jsonpath='{.status.phase}{range .status.conditions[*]} {.type}={.status}{end}')" || return 1
  echo "KubeVirt ${state}"
  [[ " ${state} " == *" Available=True "* ]]
}
kvirt::log::info "waiting for the KubeVirt CR to be Available (under a minute when images are cached; ~2-3 min on a cold node)"
if ! kvirt::cluster::wait_for "KubeVirt Available" "${timeout}" available; then
  "${kubectl[@]}" -n kubevirt get kubevirt kubevirt -o yaml >&2 || true
  "${kubectl[@]}" -n kubevirt get pods -o wide >&2 || true
  kvirt::log::fatal "kvirt did not become Available within ${timeout}s"
fi
# The aggregator marks the subresource API available a moment after virt-api is
# ready; until then virtctl's calls answer 503.
"${kubectl[@]}" wait apiservice/v1.subresources.kubevirt.io --for=condition=Available --timeout="${timeout}s" >/dev/null
"${kubectl[@]}" -n kubevirt get pods -o wide
kvirt::log::info "kvirt installed and Available in $((SECONDS - started))s"
