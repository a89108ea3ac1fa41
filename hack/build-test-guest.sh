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
# The initramfs also carries Debian's qemu-guest-agent (qemu-ga) with exactly the
# shared libraries its ELF closure needs (resolved with the extracted glibc's own
# dynamic linker, --list), so the guest answers the agent protocol on the
# org.qemu.guest_agent.0 virtio-serial port, and Debian's dropbear (ssh server,
# from dropbear-bin) the same way; busybox's httpd serves port 80.
#
# Usage: hack/build-test-guest.sh [--force]
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

force=false
[[ "${1:-}" == "--force" ]] && force=true

kernel_meta=linux-image-amd64
want_modules=(virtio_pci virtio_blk virtio_net virtio-rng virtio_console loop crc32c_generic ext4 isofs button evdev vfat nls_cp437 nls_ascii)

candidate() {
  apt-cache policy "$1" | sed -n 's/^ *Candidate: *//p'
}

if ! apt-cache show "${kernel_meta}" >/dev/null 2>&1; then
  kvirt::log::info "refreshing apt indexes"
  apt-get update -qq
fi
kernel_pkg=$(apt-cache depends "${kernel_meta}" | sed -n 's/^ *Depends: *\(linux-image-[0-9].*\)$/\1/p' | head -n1)
[[ -n "${kernel_pkg}" ]] || kvirt::log::fatal "cannot resolve ${kernel_meta}"
# qemu-guest-agent and the library packages of its dependency closure (perl and
# the packaging helpers it pulls in are not needed at run time).
agent_pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances qemu-guest-agent | grep -E '^(qemu-guest-agent|lib[a-z0-9.+-]*)$' | \
  grep -vE '^lib.*perl' | sort -u)
[[ -n "${agent_pkgs}" ]] || kvirt::log::fatal "cannot resolve qemu-guest-agent"
# dropbear-bin and the library packages of its dependency closure.
ssh_pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances dropbear-bin | grep -E '^(dropbear-bin|zlib1g|lib[a-z0-9.+-]*)$' | sort -u)
[[ -n "${ssh_pkgs}" ]] || kvirt::log::fatal "cannot resolve dropbear-bin"
# shellcheck disable=SC2206 # package names have no spaces
pkgs=("${kernel_pkg}" busybox-static syslinux syslinux-common mtools dosfstools $(printf '%s\n' ${agent_pkgs} ${ssh_pkgs} | sort -u))
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
# qemu-ga and the libraries the extracted dynamic linker resolves for it, at the
# paths it resolved them to (so the guest's ld.so finds them the same way).
ldso="${x}/lib64/ld-linux-x86-64.so.2"
libpath="${x}/lib/x86_64-linux-gnu:${x}/usr/lib/x86_64-linux-gnu"
mkdir -p "${root}/lib64" "${root}/lib/x86_64-linux-gnu"
cp -L "${ldso}" "${root}/lib64/ld-linux-x86-64.so.2"
# add_elf PATH: the binary at PATH (relative to the extracted tree) and every
# library its ELF closure needs.
add_elf() {
  local bin=$1 libs lib
  install -D -m 0755 "${x}/${bin}" "${root}/${bin}"
  libs=$("${ldso}" --library-path "${libpath}" --list "${x}/${bin}" | awk '$2 == "=>" && $1 !~ /^\// {print $3}')
  [[ -n "${libs}" ]] || kvirt::log::fatal "cannot resolve the libraries of ${bin}"
  for lib in ${libs}; do
    [[ "${lib}" == "${x}/"* ]] || kvirt::log::fatal "${bin} library ${lib} resolved outside the extracted tree"
    cp -L "${lib}" "${root}/lib/x86_64-linux-gnu/"
  done
}
add_elf usr/sbin/qemu-ga
add_elf usr/sbin/dropbear
# The closures are complete: both run with nothing but what the initramfs holds.
"${root}/lib64/ld-linux-x86-64.so.2" --library-path "${root}/lib/x86_64-linux-gnu" "${root}/usr/sbin/qemu-ga" --version >/dev/null
"${root}/lib64/ld-linux-x86-64.so.2" --library-path "${root}/lib/x86_64-linux-gnu" "${root}/usr/sbin/dropbear" -V 2>/dev/null || \
  "${root}/lib64/ld-linux-x86-64.so.2" --library-path "${root}/lib/x86_64-linux-gnu" --verify "${root}/usr/sbin/dropbear" >/dev/null
mkdir -p "${root}/var/run" "${root}/usr/lib"
cat >"${root}/usr/lib/os-release" <<'OSR'
NAME="kvirt test guest"
ID=kvirt-test-guest
ID_LIKE=debian
VERSION="1 (busybox)"
VERSION_ID="1"
PRETTY_NAME="kvirt test guest 1"
OSR
ln -sf ../usr/lib/os-release "${root}/etc/os-release"
install -m 0755 "${guest_dir}/init" "${root}/init"
install -m 0755 "${guest_dir}/udhcpc.script" "${root}/etc/udhcpc.script"
echo "root:x:0:0:root:/root:/bin/sh" >"${root}/etc/passwd"
echo "/bin/sh" >"${root}/etc/shells"
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
