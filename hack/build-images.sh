#!/usr/bin/env bash
# Assembles kvirt's container images as OCI archives without a Docker engine
# (images/kvirt-image, go-containerregistry) into _out/images/<name>.tar, with the
# content-addressed reference in _out/images/<name>.ref. Reproducible: binaries are
# built with -trimpath and the commit date as build date, layers carry fixed owners
# and timestamps, so the same commit gives the same digests.
#
#   pause                     the sandbox image of the local cluster (images/pause)
#   virt-operator, virt-api,  one static binary on a minimal base
#   virt-controller           (passwd/group, /tmp)
#   virt-launcher             cgo binary + static container-disk helper on a root
#                             filesystem of libvirt + QEMU extracted from Debian
#                             packages (images/virt-launcher/packages.txt), cached
#                             under $KVIRT_CACHE_DIR/images/
#   virt-handler              static binary on the launcher's root filesystem (same
#                             layer; its KVM probe runs QEMU)
#   importer                  static kvirt-importer (DataVolume imports) with qemu-img
#                             and its libraries from Debian (images/importer/packages.txt,
#                             hack/lib/importer-rootfs.sh) and the CA bundle
#   test guest images         hook: see guest_images below
#   busybox (on request only) Debian's busybox-static, for smoke tests
#   csi-hostpath (on request) kvirt's CSI driver with the Kubernetes CSI sidecars
#                             (hack/build-csi-bins.sh) on the minimal base
#
# Usage: hack/build-images.sh [--import] [NAME...]   (default: every image)
#   --import  also import the archives into the running local cluster's containerd
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${KVIRT_ROOT}/hack/lib/cluster.sh"
# launcher_rootfs
source "${KVIRT_ROOT}/hack/lib/launcher-rootfs.sh"
# importer_rootfs
source "${KVIRT_ROOT}/hack/lib/importer-rootfs.sh"

components=(virt-operator virt-api virt-controller virt-handler)
all=(pause "${components[@]}" virt-launcher importer)
out="${KVIRT_OUT_DIR}/images"
tool="${KVIRT_OUT_DIR}/bin/kvirt-image"

do_import=false
names=()
built=()
for arg in "$@"; do
  case "${arg}" in
    --import) do_import=true ;;
    -*) kvirt::log::fatal "usage: $0 [--import] [NAME...]" ;;
    *) names+=("${arg}") ;;
  esac
done
[[ "${#names[@]}" -gt 0 ]] || names=("${all[@]}")

build_tools() {
  mkdir -p "${out}" "${KVIRT_OUT_DIR}/bin"
  (cd "${KVIRT_ROOT}" && go build -o "${tool}" ./images/kvirt-image)
}

# build_binaries: the kvirt binaries, stamped reproducibly. The components and the
# container-disk helper are static (their images have no libc); virt-launcher links
# libvirt through cgo and runs on its root filesystem of the same Debian libraries.
build_binaries() {
  local date
  date="$(git -C "${KVIRT_ROOT}" show -s --format=%cI HEAD 2>/dev/null || echo 1970-01-01T00:00:00Z)"
  CGO_ENABLED=0 make -s -C "${KVIRT_ROOT}" build BUILD_DATE="${date}" \
    BINARIES="${components[*]} container-disk" >/dev/null
  CGO_ENABLED=1 make -s -C "${KVIRT_ROOT}" build BUILD_DATE="${date}" BINARIES=virt-launcher >/dev/null
}

# base_tree: the minimal base layer of the component images.
base_tree() {
  local base="${out}/base"
  rm -rf "${base}"
  mkdir -p "${base}/etc" "${base}/tmp"
  chmod 1777 "${base}/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"${base}/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"${base}/etc/group"
  echo "${base}"
}

# assemble NAME ARGS...: runs kvirt-image and records the reference.
assemble() {
  local name="$1" ref
  shift
  ref="$("${tool}" --name "kvirt.local/${name}" --out "${out}/${name}.tar" "$@")"
  echo "${ref}" >"${out}/${name}.ref"
  built+=("${name}")
  kvirt::log::info "${ref} ($(du -h "${out}/${name}.tar" | cut -f1))"
}

build_pause() {
  (cd "${KVIRT_ROOT}" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "${out}/pause.bin" ./images/pause)
  assemble pause --file "${out}/pause.bin:pause:0755" --entrypoint /pause
}

build_component() {
  local name="$1"
  assemble "${name}" --tree "$(base_tree)" \
    --file "${KVIRT_OUT_DIR}/bin/${name}:usr/bin/${name}:0755" --entrypoint "/usr/bin/${name}"
}

# check_linked ROOTFS BINARY: every shared library BINARY needs resolves inside ROOTFS
# (through the rootfs's own dynamic loader, without running the binary).
check_linked() {
  local rootfs="$1" bin="$2" tmp out
  tmp="${rootfs}/tmp/kvirt-ldd-check"
  cp "${bin}" "${tmp}"
  out="$(chroot "${rootfs}" /lib64/ld-linux-x86-64.so.2 --list /tmp/kvirt-ldd-check 2>&1)" || true
  rm -f "${tmp}"
  if grep -q 'not found' <<<"${out}" || ! grep -q libvirt <<<"${out}"; then
    kvirt::log::fatal "$(basename "${bin}") does not link inside the launcher rootfs:"$'\n'"${out}"
  fi
}

# build_launcher: the cgo launcher and the static container-disk helper on the root
# filesystem of libvirt + QEMU.
build_launcher() {
  local rootfs
  rootfs="$(launcher_rootfs)"
  check_linked "${rootfs}" "${KVIRT_OUT_DIR}/bin/virt-launcher"
  assemble virt-launcher --tree "${rootfs}" --spool-dir "${KVIRT_CACHE_DIR}/images" \
    --file "${KVIRT_OUT_DIR}/bin/virt-launcher:usr/bin/virt-launcher:0755" \
    --file "${KVIRT_OUT_DIR}/bin/container-disk:usr/bin/container-disk:0755" \
    --entrypoint /usr/bin/virt-launcher
}

# build_handler: virt-handler on the launcher's root filesystem (the same layer blob,
# so it costs no extra disk): its KVM probe runs QEMU.
build_handler() {
  local rootfs
  rootfs="$(launcher_rootfs)"
  assemble virt-handler --tree "${rootfs}" --spool-dir "${KVIRT_CACHE_DIR}/images" \
    --file "${KVIRT_OUT_DIR}/bin/virt-handler:usr/bin/virt-handler:0755" \
    --entrypoint /usr/bin/virt-handler
}

# build_importer: the static kvirt-importer on a root filesystem holding only
# qemu-img, its libraries and the CA bundle; it runs as the qemu user (UID 107).
build_importer() {
  local rootfs out_ldd
  CGO_ENABLED=0 make -s -C "${KVIRT_ROOT}" build BINARIES=kvirt-importer \
    BUILD_DATE="$(git -C "${KVIRT_ROOT}" show -s --format=%cI HEAD 2>/dev/null || echo 1970-01-01T00:00:00Z)" >/dev/null
  rootfs="$(importer_rootfs)"
  out_ldd="$(chroot "${rootfs}" /lib64/ld-linux-x86-64.so.2 --list /usr/bin/qemu-img 2>&1)" || true
  if grep -q 'not found' <<<"${out_ldd}" || ! grep -q libglib <<<"${out_ldd}"; then
    kvirt::log::fatal "qemu-img does not link inside the importer rootfs:"$'\n'"${out_ldd}"
  fi
  assemble importer --tree "${rootfs}" --spool-dir "${KVIRT_CACHE_DIR}/images" \
    --file "${KVIRT_OUT_DIR}/bin/kvirt-importer:usr/bin/kvirt-importer:0755" \
    --user 107:107 --entrypoint /usr/bin/kvirt-importer
}

# build_csi: kvirt-csi-hostpath and the sidecars it runs with, in one image (each
# container of the driver's pods runs one of them). The attacher is not included:
# the driver needs no attach step (CSIDriver attachRequired: false).
build_csi() {
  local bins
  bins="$("${KVIRT_ROOT}/hack/build-csi-bins.sh" provisioner resizer snapshotter | tail -n1)"
  CGO_ENABLED=0 make -s -C "${KVIRT_ROOT}" build BINARIES=kvirt-csi-hostpath \
    BUILD_DATE="$(git -C "${KVIRT_ROOT}" show -s --format=%cI HEAD 2>/dev/null || echo 1970-01-01T00:00:00Z)" >/dev/null
  local files=(--file "${KVIRT_OUT_DIR}/bin/kvirt-csi-hostpath:usr/bin/kvirt-csi-hostpath:0755") b
  for b in csi-provisioner csi-resizer csi-snapshotter snapshot-controller; do
    files+=(--file "${bins}/${b}:usr/bin/${b}:0755")
  done
  assemble csi-hostpath --tree "$(base_tree)" "${files[@]}" --entrypoint /usr/bin/kvirt-csi-hostpath
}

# build_busybox: Debian's static busybox with its applets linked in /bin.
build_busybox() {
  local debs="${KVIRT_CACHE_DIR}/images/debs" tree="${out}/busybox-tree" deb
  mkdir -p "${debs}"
  deb="$(cd / && apt-get download --print-uris busybox-static | awk '{print $2}')"
  [[ -f "${debs}/${deb}" ]] || (cd "${debs}" && apt-get download -qq busybox-static >&2)
  rm -rf "${tree}"
  mkdir -p "${tree}/tmp"
  dpkg-deb -x "${debs}/${deb}" "${tree}"
  rm -rf "${tree:?}/usr/share"
  local applet
  for applet in sh echo cat ls ip nc sleep wget hostname ps; do
    ln -sf busybox "${tree}/bin/${applet}"
  done
  assemble busybox --tree "${tree}" --entrypoint /bin/sh
}

# guest_images: hook for the test guest (containerDisk and kernelBoot images). When
# hack/build-test-guest.sh exists it is run and must print a directory holding
# disk.img (bootable disk), vmlinuz and initrd.img; they are packaged as
# kvirt.local/test-guest-containerdisk (/disk/disk.img, upstream's containerDisk
# layout) and kvirt.local/test-guest-kernelboot (/boot/vmlinuz, /boot/initrd.img).
guest_images() {
  local script="${KVIRT_ROOT}/hack/build-test-guest.sh" guest
  if [[ ! -x "${script}" ]]; then
    kvirt::log::info "no hack/build-test-guest.sh yet: skipping the test guest images"
    return 0
  fi
  guest="$("${script}" | tail -n1)"
  assemble test-guest-containerdisk --file "${guest}/disk.img:disk/disk.img:0644"
  assemble test-guest-kernelboot --file "${guest}/vmlinuz:boot/vmlinuz:0644" \
    --file "${guest}/initrd.img:boot/initrd.img:0644"
}

# import_built: imports the images built by this run into the local cluster.
import_built() {
  if ! kvirt::cluster::pid containerd >/dev/null; then
    kvirt::log::info "the local cluster is not running: not importing (make cluster-up imports them)"
    return 0
  fi
  kvirt::step::run "importing ${#built[@]} images into the node's containerd" "about 10-30 s" \
    "${KVIRT_OUT_DIR}/logs/image-import.log" import_each "${built[@]}"
}

import_each() {
  local name sock
  for name in "$@"; do
    cat "${out}/${name}.ref"
    while read -r sock; do
      KVIRT_CLUSTER_CONTAINERD_SOCK="${sock}" kvirt::cluster::ctr images import "${out}/${name}.tar"
    done < <(kvirt::cluster::containerd_sockets)
  done
}

build_tools
if [[ " ${names[*]} " =~ " virt-" ]]; then
  kvirt::step::run "building kvirt's binaries" "about 2-3 min cold on 2 cores, seconds when warm" \
    "${KVIRT_OUT_DIR}/logs/build-binaries.log" build_binaries
fi
for name in "${names[@]}"; do
  case "${name}" in
    pause) build_pause ;;
    virt-launcher) build_launcher ;;
    virt-operator | virt-api | virt-controller) build_component "${name}" ;;
    virt-handler) build_handler ;;
    importer) build_importer ;;
    test-guest) guest_images ;;
    busybox) build_busybox ;;
    csi-hostpath) build_csi ;;
    *) kvirt::log::fatal "unknown image ${name}; known: ${all[*]} test-guest" ;;
  esac
done
if [[ " ${names[*]} " == " ${all[*]} " ]]; then
  guest_images
fi
[[ "${do_import}" == false ]] || import_built
