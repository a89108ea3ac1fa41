#!/usr/bin/env bash
# Fails if a hand-written Go file is longer than 800 lines (generated files exempt).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAX=800
cd "$REPO"
status=0
while IFS= read -r f; do
	case "$f" in */zz_generated.*|*/generated/*|*.pb.go) continue ;; esac
	n=$(wc -l <"$f")
	if [ "$n" -gt "$MAX" ]; then
		echo "$f has $n lines (max $MAX): split it by decision or phase"
		status=1
	fi
done < <(git ls-files --cached --others --exclude-standard -- '*.go')
[ "$status" -eq 0 ] && echo "no Go file over $MAX lines"
exit "$status"
