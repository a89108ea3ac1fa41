#!/usr/bin/env bash
# Fails if the generated protocol code differs from what hack/update-proto.sh
# produces now (including .pb.go files git does not track yet).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp -r "$REPO/proto" "$TMP/proto"
"$REPO/hack/update-proto.sh" "$TMP" >/dev/null
if ! diff -r "$REPO/proto" "$TMP/proto"; then
	echo "stale generated protocol code under proto/ (run make generate)"
	exit 1
fi
echo "generated protocol code is up to date"
