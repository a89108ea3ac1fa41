#!/usr/bin/env bash
# importer_rootfs: prints the directory of the importer image's root filesystem:
# qemu-img and the shared libraries it needs, from the Debian packages in
# images/importer/packages.txt and their dependency closure (no recommends),
# extracted with dpkg-deb (no maintainer scripts run), plus the Mozilla CA bundle
# from Debian's ca-certificates (concatenated as update-ca-certificates would) for
# the importer's https client. Cached under
# $KVIRT_CACHE_DIR/images/importer-rootfs-<key>, the key hashing the exact .deb file
# names and this script. Source after common.sh and launcher-rootfs.sh (it reuses
# download_debs and extract_debs).

importer_rootfs() {
  local list="${KVIRT_ROOT}/images/importer/packages.txt" cache="${KVIRT_CACHE_DIR}/images"
  local pkgs closure uris key rootfs
  mapfile -t pkgs < <(grep -v '^[[:space:]]*#' "${list}" | grep -v '^[[:space:]]*$')
  if ! apt-cache show "${pkgs[0]}" >/dev/null 2>&1; then
    apt-get update -qq >&2
  fi
  mapfile -t closure < <(apt-cache depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances "${pkgs[@]}" | grep '^[a-z0-9]' | sort -u)
  # ca-certificates alone, not its closure (debconf, perl): only its .crt files are used.
  uris="$(cd / && apt-get download --print-uris "${closure[@]}" ca-certificates | sort)"
  key="$( (printf '%s\n' "${uris}" | awk '{print $2}'; cat "${BASH_SOURCE[0]}") | sha256sum | cut -c1-16)"
  rootfs="${cache}/importer-rootfs-${key}"
  if [[ -d "${rootfs}" ]]; then
    echo "${rootfs}"
    return 0
  fi
  kvirt::log::info "building the importer rootfs from ${#closure[@]} Debian packages"
  mkdir -p "${cache}/debs"
  local missing=() file
  while read -r _ file _; do
    [[ -f "${cache}/debs/${file}" ]] || missing+=("${file%%_*}")
  done <<<"${uris}"
  if [[ "${#missing[@]}" -gt 0 ]]; then
    kvirt::step::run "downloading ${#missing[@]} Debian packages for the importer rootfs" \
      "seconds, ~15 MB" "${KVIRT_CACHE_DIR}/logs/importer-rootfs-download.log" \
      download_debs "${cache}/debs" "${missing[@]}" >&2
  fi
  local tmp="${rootfs}.tmp"
  rm -rf "${tmp}"
  mkdir -p "${tmp}"
  kvirt::step::run "extracting the importer rootfs" "seconds" \
    "${KVIRT_CACHE_DIR}/logs/importer-rootfs-extract.log" extract_debs "${cache}/debs" "${tmp}" "${uris}" >&2
  finish_importer_rootfs "${tmp}"
  mv "${tmp}" "${rootfs}"
  echo "${rootfs}"
}

# finish_importer_rootfs DIR: keeps qemu-img, the dynamic loader and libraries and
# the CA bundle; adds the qemu user (UID/GID 107, the importer pod's user) and the
# linker cache.
finish_importer_rootfs() {
  local root="$1" bin
  mkdir -p "${root}/etc/ssl/certs" "${root}/tmp"
  chmod 1777 "${root}/tmp"
  find "${root}/usr/share/ca-certificates" -name '*.crt' -print0 | sort -z | xargs -0 cat \
    >"${root}/etc/ssl/certs/ca-certificates.crt"
  for bin in "${root}/usr/bin/"* "${root}/usr/sbin/"* "${root}/bin/"* "${root}/sbin/"*; do
    [[ -e "${bin}" || -L "${bin}" ]] || continue
    [[ "$(basename "${bin}")" == qemu-img ]] || rm -f "${bin}"
  done
  # glibc's charset converters and glib's helper programs: qemu-img uses neither.
  rm -rf "${root}/usr/lib/x86_64-linux-gnu/gconv" "${root}/usr/lib/x86_64-linux-gnu/glib-2.0"
  rm -rf "${root}/usr/share" "${root}/usr/lib/udev" "${root}/lib/udev" "${root}/usr/libexec" \
    "${root}/etc/init.d" "${root}/etc/default" "${root}/var" "${root}/usr/lib/systemd"
  cat >"${root}/etc/passwd" <<'EOC'
root:x:0:0:root:/root:/sbin/nologin
qemu:x:107:107:qemu:/:/sbin/nologin
EOC
  cat >"${root}/etc/group" <<'EOC'
root:x:0:
qemu:x:107:
EOC
  ldconfig -r "${root}"
}
