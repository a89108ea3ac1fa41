#!/usr/bin/env bash
# Runs the pinned golangci-lint (.golangci.yml: funlen, gocyclo, errorlint, ...) on
# every module except the generator-only tools module.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$REPO/_out/tools/golangci-lint"
if [ ! -x "$BIN" ]; then
	echo "building the pinned golangci-lint (once)"
	(cd "$REPO/hack/tools" && go build -o "$BIN" github.com/golangci/golangci-lint/v2/cmd/golangci-lint)
fi
status=0
source "$REPO/hack/lib/modules.sh"
for m in "${KVIRT_GO_MODULES[@]}"; do
	(cd "$REPO/$m" && "$BIN" run --allow-parallel-runners --config "$REPO/.golangci.yml" ./...) || status=1
done
[ "$status" -eq 0 ] && echo "lint clean"
exit "$status"
