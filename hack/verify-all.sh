#!/usr/bin/env bash
# Runs every verify-*.sh check and reports all failures at once.
set -uo pipefail

HACK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
failed=()
for check in deps codegen proto gofmt govet lint filelength apidocs; do
	echo "== verify-$check"
	if ! "$HACK/verify-$check.sh"; then
		failed+=("$check")
	fi
done
if [ "${#failed[@]}" -gt 0 ]; then
	echo "FAILED: ${failed[*]}"
	exit 1
fi
echo "all verify checks passed"
