#!/usr/bin/env bash
# Fails if any tracked or new Go file is not gofmt-formatted.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
files=$(git ls-files --cached --others --exclude-standard -- '*.go')
bad=$(echo "$files" | xargs -r gofmt -l)
if [ -n "$bad" ]; then
	echo "gofmt would change (run gofmt -w):"
	echo "$bad"
	exit 1
fi
echo "gofmt clean"
