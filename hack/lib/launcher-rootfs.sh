#!/usr/bin/env bash
# launcher_rootfs: prints the directory of virt-launcher's root filesystem, built from
# the Debian packages in images/virt-launcher/packages.txt and their dependency
# closure (no recommends), extracted with dpkg-deb (no maintainer scripts run).
# Cached under $KVIRT_CACHE_DIR/images/launcher-rootfs-<key>, where the key hashes the
# exact .deb file names (name, version, arch) and this script: a Debian update or a
# change to how the rootfs is finished makes a new rootfs.
# Source after common.sh.

launcher_rootfs() {
  debian_rootfs launcher "${KVIRT_ROOT}/images/virt-launcher/packages.txt" finish_launcher_rootfs \
    "${BASH_SOURCE[0]}" "about a minute, ~150 MB"
}

# debian_rootfs NAME LIST FINISH SCRIPT HINT [PKG...]: prints the directory of a root
# filesystem extracted from the packages in LIST, their dependency closure and PKG...
# alone, finished by the function FINISH TREE; cached under
# $KVIRT_CACHE_DIR/images/NAME-rootfs-<key>, the key hashing the .deb file names and
# SCRIPT (the caller's source). HINT says how long the download takes.
debian_rootfs() {
  local name="$1" list="$2" finish="$3" script="$4" hint="$5" cache="${KVIRT_CACHE_DIR}/images"
  local pkgs closure uris key rootfs
  shift 5
  mapfile -t pkgs < <(grep -v '^[[:space:]]*#' "${list}" | grep -v '^[[:space:]]*$')
  if ! apt-cache show "${pkgs[0]}" >/dev/null 2>&1; then
    apt-get update -qq >&2
  fi
  mapfile -t closure < <(apt-cache depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances "${pkgs[@]}" | grep '^[a-z0-9]' | sort -u)
  # 'URI' FILE SIZE HASH per package, without downloading anything.
  # (from /: apt prints nothing for a .deb already in the working directory)
  uris="$(cd / && apt-get download --print-uris "${closure[@]}" "$@" | sort)"
  key="$( (printf '%s\n' "${uris}" | awk '{print $2}'; cat "${script}" "${BASH_SOURCE[0]}") | sha256sum | cut -c1-16)"
  rootfs="${cache}/${name}-rootfs-${key}"
  if [[ -d "${rootfs}" ]]; then
    echo "${rootfs}"
    return 0
  fi
  kvirt::log::info "building the ${name} rootfs from ${#closure[@]} Debian packages"
  mkdir -p "${cache}/debs"
  local missing=() file
  while read -r _ file _; do
    [[ -f "${cache}/debs/${file}" ]] || missing+=("${file%%_*}")
  done <<<"${uris}"
  if [[ "${#missing[@]}" -gt 0 ]]; then
    kvirt::step::run "downloading ${#missing[@]} Debian packages for the ${name} rootfs" \
      "${hint}" "${KVIRT_CACHE_DIR}/logs/${name}-rootfs-download.log" \
      download_debs "${cache}/debs" "${missing[@]}" >&2
  fi
  local tmp="${rootfs}.tmp"
  rm -rf "${tmp}"
  mkdir -p "${tmp}"
  kvirt::step::run "extracting the ${name} rootfs" "under a minute" \
    "${KVIRT_CACHE_DIR}/logs/${name}-rootfs-extract.log" extract_debs "${cache}/debs" "${tmp}" "${uris}" >&2
  "${finish}" "${tmp}"
  mv "${tmp}" "${rootfs}"
  echo "${rootfs}"
}

# download_debs DIR PKG...: apt-get download into DIR (nothing is installed).
download_debs() {
  cd "$1" && apt-get download "${@:2}"
}

# extract_debs DEBS_DIR TREE URIS: dpkg-deb -x of every .deb the URIS lines name.
extract_debs() {
  local file
  while read -r _ file _; do
    echo "${file}"
    dpkg-deb -x "$1/${file}" "$2"
  done <<<"$3"
}

# finish_launcher_rootfs DIR: what maintainer scripts would have done and the
# launcher needs: a shell, users and groups (qemu is UID/GID 107, the launcher pod's
# user; libvirt 9.0's QEMU driver refuses to start as root without its compiled-in
# user libvirt-qemu), the dynamic linker cache; drops docs.
finish_launcher_rootfs() {
  local root="$1"
  rm -rf "${root}/usr/share/doc" "${root}/usr/share/man" "${root}/usr/share/info" "${root}/usr/share/locale"
  mkdir -p "${root}/bin" "${root}/tmp" "${root}/run" "${root}/var/lib/libvirt" "${root}/var/log/libvirt"
  chmod 1777 "${root}/tmp"
  # As on Debian, /var/run is /run (the launcher's libvirt keeps nothing in either:
  # its embedded QEMU driver lives below the pod's private emptyDir).
  if [[ -d "${root}/var/run" && ! -L "${root}/var/run" ]]; then
    cp -a "${root}/var/run/." "${root}/run/"
    rm -rf "${root}/var/run"
  fi
  ln -sfn ../run "${root}/var/run"
  [[ -e "${root}/bin/sh" ]] || ln -s busybox "${root}/bin/sh"
  cat >"${root}/etc/passwd" <<'EOC'
root:x:0:0:root:/root:/bin/sh
qemu:x:107:107:qemu:/var/lib/libvirt:/sbin/nologin
libvirt-qemu:x:64055:36:libvirt qemu:/var/lib/libvirt:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOC
  cat >"${root}/etc/group" <<'EOC'
root:x:0:
kvm:x:36:qemu
qemu:x:107:
libvirt:x:108:
libvirt-qemu:x:64055:
nonroot:x:65532:
EOC
  ldconfig -r "${root}"
}
