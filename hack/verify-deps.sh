#!/usr/bin/env bash
# Fails when anything in the tree but hack/install-deps.sh installs packages or
# creates system users, or tells the reader to: a fresh machine must get everything
# through `make deps`, the path CI takes too. Also checks that hack/install-deps.sh
# answers in under a second when nothing is missing (entry points call it each time).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
pattern='apt-get ([-a-zA-Z=]+ )*(install|purge|remove)|apt (install|remove)|dpkg (-i|--install)|useradd|groupadd|adduser'
offenders="$(git ls-files -co --exclude-standard | grep -vxE 'hack/(install|verify)-deps\.sh' |
	xargs -r grep -lE "${pattern}" 2>/dev/null || true)"
if [ -n "${offenders}" ]; then
	echo "only hack/install-deps.sh may install packages or users (make deps); found in:"
	for f in ${offenders}; do grep -nE "${pattern}" "${f}" | sed "s|^|  ${f}:|"; done
	exit 1
fi
if hack/install-deps.sh --check >/dev/null 2>&1; then
	start=$(date +%s%N)
	hack/install-deps.sh --check >/dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ "${ms}" -ge 1000 ]; then
		echo "hack/install-deps.sh --check took ${ms} ms with nothing missing; it must answer in under a second"
		exit 1
	fi
	echo "deps: only hack/install-deps.sh installs; its check takes ${ms} ms"
else
	echo "deps: only hack/install-deps.sh installs (packages missing here: not timing its check)"
fi
