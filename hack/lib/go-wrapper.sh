# shellcheck shell=bash
# Helpers for building commands of Go modules that `go install pkg@version` refuses
# (their go.mod has replace directives): a small generated wrapper module requires the
# pinned version, repeats the replacements and lists the commands as `tool` directives.
# Used by hack/build-control-plane-bins.sh and hack/build-csi-bins.sh; source
# hack/lib/common.sh first. Builds are static (CGO_ENABLED=0) and outside any go.work.

# kvirt::gowrapper::write_if_changed FILE: replaces FILE with stdin unless the content
# is identical; returns 1 when FILE was left alone.
kvirt::gowrapper::write_if_changed() {
  local file="$1" tmp
  tmp="$(mktemp "${file}.XXXXXX")"
  cat >"${tmp}"
  if [[ -f "${file}" ]] && cmp -s "${tmp}" "${file}"; then
    rm -f "${tmp}"
    return 1
  fi
  mv -f "${tmp}" "${file}"
}

# kvirt::gowrapper::upstream_gomod MODULE@VERSION: downloads the module and prints the
# path of its go.mod in the module cache.
kvirt::gowrapper::upstream_gomod() {
  local gomod
  mkdir -p "${KVIRT_CACHE_DIR}/src"
  gomod="$(cd "${KVIRT_CACHE_DIR}/src" && GOWORK=off go mod download -json "$1" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "${gomod}" ]] || kvirt::log::fatal "cannot download the go.mod of $1 (is that exact version served?)"
  echo "${gomod}"
}

# kvirt::gowrapper::replaces GOMOD: prints the replace directives of GOMOD, one
# "OLD [VERSION] => NEW [VERSION]" a line, from both the single-line and the block form.
kvirt::gowrapper::replaces() {
  awk '/^replace[[:space:]]*\($/ { inblock = 1; next }
    inblock && /^\)/ { inblock = 0; next }
    inblock && NF { sub(/^[[:space:]]+/, ""); print; next }
    /^replace[[:space:]]/ { sub(/^replace[[:space:]]+/, ""); print }' "$1"
}

kvirt::gowrapper::tidy_in() {
  cd "$1" && GOWORK=off go mod tidy
}

# kvirt::gowrapper::prepare DIR GOMOD_FUNC [ARGS...]: (re)generates the wrapper module's
# go.mod.in in DIR (GOMOD_FUNC ARGS... prints it) and, when it changed or was never
# resolved, copies it to go.mod and runs `go mod tidy` (which adds the indirect
# requirements and go.sum).
kvirt::gowrapper::prepare() {
  local dir="$1" name gomod
  name="$(basename "${dir}")"
  mkdir -p "${dir}"
  gomod="$("${@:2}")"
  if printf '%s\n' "${gomod}" | kvirt::gowrapper::write_if_changed "${dir}/go.mod.in" ||
    [[ ! -f "${dir}/go.sum" ]]; then
    cp "${dir}/go.mod.in" "${dir}/go.mod"
    kvirt::step::run "downloading the Go modules of ${name}" "under a minute; more on a machine without a module cache" \
      "${KVIRT_CACHE_DIR}/logs/modules-${name}.log" kvirt::gowrapper::tidy_in "${dir}"
  fi
}

# kvirt::gowrapper::build DIR ARGS...: `go build -v -trimpath ARGS...` in wrapper module
# DIR, static (-v: the log lists each package compiled, which the progress lines count).
kvirt::gowrapper::build() {
  local dir="$1"
  shift
  cd "${dir}" && CGO_ENABLED=0 GOWORK=off go build -v -trimpath "$@"
}
