#!/usr/bin/env bash
# The one place kvirt installs what it needs from the machine's package manager
# (Debian 12, apt). Every make target and hack/ script that needs a package calls
# this first; no other script installs packages or creates system users
# (hack/verify-deps.sh checks that).
#
# Groups (default: all but fresh):
#   build    cgo and code generation: gcc, libc headers, pkg-config, libvirt-dev
#            (virt-launcher links libvirt), protoc (make generate / make verify),
#            qemu-utils (the importer's unit tests convert images with qemu-img)
#   node     the node tier: libvirt's daemon and QEMU driver, QEMU, qemu-img, and
#            the libvirt-qemu system user libvirt's QEMU driver refuses to start without
#   cluster  the local cluster: containerd, runc, CNI plugins, iptables, conntrack,
#            openssl (node certificates), kmod (br_netfilter), iproute2, util-linux
#   monitoring  the e2e tier's Prometheus (hack/prometheus.sh, make functest): prometheus
#            (Debian's, built without Kubernetes service discovery: the script feeds it file_sd)
#   fresh    hack/verify-fresh.sh only: debootstrap
#
# Installs only what is missing (one dpkg-query for everything, well under a second
# when nothing is), prints one line per group, keeps apt's output in
# _out/deps/apt.log and shows its end when apt fails. With --check it installs
# nothing and exits 1 naming the command to run.
#
# Usage: hack/install-deps.sh [--check] [GROUP...]
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

declare -A group_pkgs=(
  [build]="gcc libc6-dev pkg-config libvirt-dev protobuf-compiler qemu-utils"
  [node]="qemu-system-x86 qemu-utils libvirt-daemon libvirt-daemon-driver-qemu"
  [cluster]="containerd runc containernetworking-plugins iptables conntrack openssl kmod iproute2 util-linux"
  [monitoring]="prometheus"
  [fresh]="debootstrap"
)
# System users a group needs (libvirt-daemon-system would create libvirt-qemu, but it
# also starts a host-wide libvirtd, which kvirt never uses). NAME@UID asks for a
# record of that UID (any name will do): the node tier runs launchers as UID 107,
# and a migration target's libvirtd looks its own user up.
declare -A group_users=([node]="libvirt-qemu kvirt-qemu@107")
default_groups=(build node cluster monitoring)

check=false
groups=()
for arg in "$@"; do
  case "${arg}" in
    --check) check=true ;;
    build | node | cluster | monitoring | fresh) groups+=("${arg}") ;;
    *) kvirt::log::fatal "usage: $0 [--check] [build|node|cluster|monitoring|fresh]..." ;;
  esac
done
[[ "${#groups[@]}" -gt 0 ]] || groups=("${default_groups[@]}")

# installed PKG...: prints the packages dpkg knows as installed.
installed() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" 2>/dev/null | awk '$1 == "ii" {print $2}'
}

all_pkgs=()
for g in "${groups[@]}"; do
  read -r -a p <<<"${group_pkgs[${g}]}"
  all_pkgs+=("${p[@]}")
done
declare -A have=()
while read -r p; do have["${p}"]=1; done < <(installed "${all_pkgs[@]}")

# missing_in GROUP: the group's packages (and users, as user:NAME) not yet there.
missing_in() {
  local p u
  for p in ${group_pkgs[$1]}; do [[ -n "${have[${p}]:-}" ]] || echo "${p}"; done
  for u in ${group_users[$1]:-}; do
    if [[ "${u}" == *@* ]]; then
      getent passwd "${u#*@}" >/dev/null || echo "user:${u}"
    else
      getent passwd "${u}" >/dev/null || echo "user:${u}"
    fi
  done
}

declare -A todo=()
needed=false
for g in "${groups[@]}"; do
  todo["${g}"]="$(missing_in "${g}" | tr '\n' ' ')"
  [[ -z "${todo[${g}]// /}" ]] || needed=true
done

if [[ "${needed}" == false ]]; then
  echo "deps: ${groups[*]} ok"
  exit 0
fi
if [[ "${check}" == true || "${EUID}" -ne 0 ]]; then
  for g in "${groups[@]}"; do
    [[ -z "${todo[${g}]// /}" ]] || echo "deps: ${g} is missing ${todo[${g}]}" >&2
  done
  kvirt::log::fatal "run \`make deps\` as root (hack/install-deps.sh ${groups[*]}) to install them"
fi

log_dir="${KVIRT_OUT_DIR}/deps"
log="${log_dir}/apt.log"
mkdir -p "${log_dir}"
: >"${log}"
# apt_run ARGS...: apt-get quietly into the log; on failure the log's end and exit.
apt_run() {
  if ! DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"${log}" 2>&1; then
    kvirt::log::error "apt-get $* failed; the end of ${log}:"
    tail -n 25 "${log}" >&2
    exit 1
  fi
}

refreshed=false
for g in "${groups[@]}"; do
  pkgs=() users=()
  for item in ${todo[${g}]}; do
    case "${item}" in
      user:*) users+=("${item#user:}") ;;
      *) pkgs+=("${item}") ;;
    esac
  done
  if [[ "${#pkgs[@]}" -eq 0 && "${#users[@]}" -eq 0 ]]; then
    echo "deps: ${g} ok"
    continue
  fi
  started=${SECONDS}
  if [[ "${#pkgs[@]}" -gt 0 ]]; then
    if [[ "${refreshed}" == false ]]; then
      apt_run update -qq
      refreshed=true
    fi
    apt_run install -y -qq --no-install-recommends "${pkgs[@]}"
  fi
  for u in "${users[@]}"; do
    if [[ "${u}" == *@* ]]; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --uid "${u#*@}" \
        --user-group "${u%@*}"
    else
      useradd --system --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin "${u}"
    fi
  done
  echo "deps: ${g} installed ${todo[${g}]}in $((SECONDS - started))s"
done
