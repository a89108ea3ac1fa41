# shellcheck shell=bash
# The Go modules of this repository, relative to its root.
KVIRT_GO_MODULES=(. staging/src/kvirt.io/api staging/src/kvirt.io/client-go)
