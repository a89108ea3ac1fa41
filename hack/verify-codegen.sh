#!/usr/bin/env bash
# Fails if any generated file (Go or manifest) differs from what `make generate`
# produces now, including generated files that git does not track yet.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "regenerating into a copy of the tree"
# Copy the source tree without build outputs; the copy regenerates in place.
tar -C "$REPO" --exclude=./_out --exclude=./.git -cf - . | tar -C "$TMP" -xf -
"$REPO/hack/update-codegen.sh" "$TMP" >/dev/null

paths=(staging/src/kvirt.io/api staging/src/kvirt.io/client-go/generated manifests/crds manifests/cdi-crds manifests/virt-api manifests/release
	docs/unsupported-fields.md)
status=0
for p in "${paths[@]}"; do
	if ! diff -r "$REPO/$p" "$TMP/$p" >"$TMP.diff" 2>&1; then
		echo "stale generated files under $p (run make generate):"
		head -50 "$TMP.diff"
		status=1
	fi
done
rm -f "$TMP.diff"
[ "$status" -eq 0 ] && echo "generated files are up to date"
exit "$status"
