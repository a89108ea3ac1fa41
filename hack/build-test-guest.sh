#!/usr/bin/env bash
# Builds the kvirt test guest from Debian packages only (apt-get download +
# dpkg-deb -x, nothing installed): a Debian kernel, a busybox initramfs whose init is
# hack/guest/init, and a bootable raw disk image (FAT "superfloppy" with SYSLINUX)
# holding the same kernel and initramfs. Output goes to
# $KVIRT_CACHE_DIR/guest/<key>/ with key derived from the package versions and the
# init scripts, and the directory is printed. Does nothing when it already exists.
#
#   vmlinuz      kernel for kernelBoot (append console=ttyS0)
#   initrd.img   busybox initramfs (newc, gzip)
#   disk.img     raw disk that boots the same guest through SeaBIOS
#
# Usage: hack/build-test-guest.sh [--force]
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

force=false
[[ "${1:-}" == "--force" ]] && force=true

kernel_meta=linux-image-amd64
want_modules=(virtio_pci virtio_blk virtio_net virtio-rng isofs button evdev vfat nls_cp437 nls_ascii)

candidate() {
  apt-cache policy "$1" | sed -n 's/^ *Candidate: *//p'
}

if ! apt-cache show "${kernel_meta}" >/dev/null 2>&1; then
  kvirt::log::info "refreshing apt indexes"
  apt-get update -qq
fi
kernel_pkg=$(apt-cache depends "${kernel_meta}" | sed -n 's/^ *Depends: *\(linux-image-[0-9].*\)$/\1/p' | head -n1)
[[ -n "${kernel_pkg}" ]] || kvirt::log::fatal "cannot resolve ${kernel_meta}"
pkgs=("${kernel_pkg}" busybox-static syslinux syslinux-common mtools dosfstools)
versions=""
for p in "${pkgs[@]}"; do versions+="${p}=$(candidate "$p");"; done
guest_dir="$(dirname "${BASH_SOURCE[0]}")/guest"
key=$( { echo "${versions}"; cat "${guest_dir}/init" "${guest_dir}/udhcpc.script" "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16)
out="${KVIRT_CACHE_DIR}/guest/${key}"

if [[ "${force}" == false && -f "${out}/disk.img" ]]; then
  kvirt::log::info "test guest up to date in ${out}"
  echo "${out}"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
kvirt::log::info "downloading ${pkgs[*]}"
(cd "${work}" && apt-get download "${pkgs[@]}" >/dev/null 2>&1) || \
  (cd "${work}" && apt-get download "${pkgs[@]}")
mkdir -p "${work}/x"
for deb in "${work}"/*.deb; do dpkg-deb -x "${deb}" "${work}/x"; done
x="${work}/x"
kver=$(ls "${x}/lib/modules")
bb="${x}/bin/busybox"

kvirt::log::info "initramfs for kernel ${kver}"
"${bb}" depmod -b "${x}" "${kver}"
root="${work}/root"
mkdir -p "${root}"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,run,root,"lib/modules/${kver}"}
cp "${bb}" "${root}/bin/busybox"
for applet in $("${bb}" --list); do
  [[ "${applet}" == busybox ]] || ln -sf busybox "${root}/bin/${applet}"
done
# Copy the wanted modules and everything they depend on, then index them.
declare -A seen=()
add_module() {
  local name=$1 line path dep
  line=$(grep -E "/${name//-/[-_]}\.ko:" "${x}/lib/modules/${kver}/modules.dep" || true)
  [[ -n "${line}" ]] || return 0
  path=${line%%:*}
  [[ -z "${seen[${path}]:-}" ]] || return 0
  seen[${path}]=1
  mkdir -p "${root}/lib/modules/${kver}/$(dirname "${path}")"
  cp "${x}/lib/modules/${kver}/${path}" "${root}/lib/modules/${kver}/${path}"
  for dep in ${line#*:}; do
    dep=${dep##*/}
    add_module "${dep%.ko}"
  done
}
for m in "${want_modules[@]}"; do add_module "$m"; done
cp "${x}/lib/modules/${kver}/modules.builtin" "${x}/lib/modules/${kver}/modules.order" "${root}/lib/modules/${kver}/"
"${bb}" depmod -b "${root}" "${kver}"
install -m 0755 "${guest_dir}/init" "${root}/init"
install -m 0755 "${guest_dir}/udhcpc.script" "${root}/etc/udhcpc.script"
echo "root:x:0:0:root:/root:/bin/sh" >"${root}/etc/passwd"
mkdir -p "${out}.tmp"
(cd "${root}" && find . | "${bb}" cpio -o -H newc 2>/dev/null | gzip -9 >"${out}.tmp/initrd.img")
cp "${x}/boot/vmlinuz-${kver}" "${out}.tmp/vmlinuz"

kvirt::log::info "bootable disk image"
export PATH="${x}/usr/bin:${x}/usr/sbin:${x}/sbin:${x}/bin:${PATH}"
size_kib=$(( ( $(stat -c %s "${out}.tmp/vmlinuz") + $(stat -c %s "${out}.tmp/initrd.img") ) / 1024 + 4096 ))
"${x}/sbin/mkfs.fat" -n KVIRTBOOT -C "${out}.tmp/disk.img" "${size_kib}" >/dev/null
"${x}/usr/bin/syslinux" --install "${out}.tmp/disk.img"
cat >"${work}/syslinux.cfg" <<CFG
DEFAULT kvirt
PROMPT 0
TIMEOUT 0
LABEL kvirt
  KERNEL vmlinuz
  APPEND initrd=initrd.img console=ttyS0 panic=-1
CFG
MTOOLS_SKIP_CHECK=1 mcopy -i "${out}.tmp/disk.img" "${out}.tmp/vmlinuz" "${out}.tmp/initrd.img" "${work}/syslinux.cfg" ::/
echo "${versions}" >"${out}.tmp/VERSIONS"
rm -rf "${out}"
mv "${out}.tmp" "${out}"
kvirt::log::info "test guest in ${out}"
echo "${out}"
