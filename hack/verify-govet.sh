#!/usr/bin/env bash
# Runs go vet on every module of the repository.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/hack/lib/modules.sh"
status=0
for m in "${KVIRT_GO_MODULES[@]}"; do
	(cd "$REPO/$m" && go vet ./...) || status=1
done
[ "$status" -eq 0 ] && echo "go vet clean"
exit "$status"
