#!/usr/bin/env bash
# On demand (not in CI: it downloads a Debian base system): proves that a machine
# with only Go, gcc, make and git gets through the dependency step and the build.
# Makes a throwaway Debian 12 root with debootstrap, copies this machine's Go
# toolchain and a clean clone of HEAD into it, and runs `make deps` and `make build`
# there as root, with an empty Go module and build cache.
#
#   KVIRT_FRESH_ROOT   where the root goes (default /var/tmp/kvirt-fresh; removed
#                      before and, unless KVIRT_FRESH_KEEP=1, after)
#
# Usage: hack/verify-fresh.sh      (root; needs the network to Debian and the Go proxy)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

[[ "${EUID}" -eq 0 ]] || kvirt::log::fatal "verify-fresh needs root (debootstrap, chroot)"
kvirt::deps fresh
root="${KVIRT_FRESH_ROOT:-/var/tmp/kvirt-fresh}"
logs="${KVIRT_OUT_DIR}/fresh"
started=${SECONDS}

# mirror: the first Debian archive this machine's apt uses (deb822 or one-line form).
mirror() {
  local m
  m="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
  [[ -n "${m}" ]] || m="$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
  [[ -n "${m}" ]] || kvirt::log::fatal "found no Debian archive in /etc/apt/sources.list*"
  echo "${m}"
}

unmount_all() {
  local m
  for m in dev/pts dev proc sys; do
    mountpoint -q "${root}/${m}" && umount -l "${root}/${m}"
  done
  return 0
}
cleanup() {
  unmount_all
  [[ "${KVIRT_FRESH_KEEP:-}" == 1 ]] || rm -rf "${root}"
}

unmount_all
rm -rf "${root}"
trap cleanup EXIT
mkdir -p "${root}" "${logs}"
kvirt::step::run "debootstrap of a minimal Debian 12 root in ${root}" "2-4 min" "${logs}/debootstrap.log" \
  debootstrap --variant=minbase --include=ca-certificates,git,make,gcc,libc6-dev bookworm "${root}" "$(mirror)"

# What a fresh machine has besides the base system: this machine's apt sources,
# resolver and certificate trust, Go, and the repository as a clean clone. Services are not started inside the root.
cp -a /etc/apt/sources.list.d/. "${root}/etc/apt/sources.list.d/"
rm -f "${root}"/etc/apt/sources.list.d/*.disabled*
[[ ! -f /etc/apt/sources.list ]] || cp /etc/apt/sources.list "${root}/etc/apt/sources.list"
cp /etc/resolv.conf "${root}/etc/resolv.conf"
# The machine's certificate trust (it may include a local CA its network needs).
cp /etc/ssl/certs/ca-certificates.crt "${root}/etc/ssl/certs/ca-certificates.crt"
printf '#!/bin/sh\nexit 101\n' >"${root}/usr/sbin/policy-rc.d"
chmod +x "${root}/usr/sbin/policy-rc.d"
cp -a "$(go env GOROOT)" "${root}/usr/local/go"
git clone -q "${KVIRT_ROOT}" "${root}/work/kvirt"
mount -t proc proc "${root}/proc"
mount -t sysfs sys "${root}/sys"
mount --bind /dev "${root}/dev"
mount --bind /dev/pts "${root}/dev/pts"

in_root() {
  chroot "${root}" /usr/bin/env -i HOME=/root PATH=/usr/local/go/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOPROXY="$(go env GOPROXY)" GOFLAGS=-buildvcs=false ${HTTPS_PROXY:+HTTPS_PROXY="${HTTPS_PROXY}"} \
    ${HTTP_PROXY:+HTTP_PROXY="${HTTP_PROXY}"} bash -c "cd /work/kvirt && $*"
}
kvirt::step::run "make deps in the fresh root" "1-3 min" "${logs}/deps.log" in_root make deps
kvirt::step::run "make build in the fresh root (empty module and build caches)" "3-6 min" \
  "${logs}/build.log" in_root make build
in_root 'ls _out/bin' | tr '\n' ' '
echo
kvirt::log::info "fresh machine: make deps and make build passed in a debootstrapped Debian 12 root in $((SECONDS - started))s"
