#!/usr/bin/env bash
# importer_rootfs: prints the directory of the importer image's root filesystem:
# qemu-img and the shared libraries it needs, from the Debian packages in
# images/importer/packages.txt and their dependency closure (no recommends),
# extracted with dpkg-deb (no maintainer scripts run), plus the Mozilla CA bundle
# from Debian's ca-certificates (concatenated as update-ca-certificates would) for
# the importer's https client. Cached under
# $KVIRT_CACHE_DIR/images/importer-rootfs-<key>, the key hashing the exact .deb file
# names and this script. Source after common.sh and launcher-rootfs.sh (it reuses
# debian_rootfs).

importer_rootfs() {
  # ca-certificates alone, not its closure (debconf, perl): only its .crt files are used.
  debian_rootfs importer "${KVIRT_ROOT}/images/importer/packages.txt" finish_importer_rootfs \
    "${BASH_SOURCE[0]}" "seconds, ~15 MB" ca-certificates
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
