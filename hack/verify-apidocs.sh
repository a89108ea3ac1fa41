#!/usr/bin/env bash
# Fails if an exported type or struct field of the API module has no doc comment:
# those comments become the CRD descriptions that `kubectl explain` prints.
# Exemptions (generated files, embedded TypeMeta/ObjectMeta/ListMeta) are listed in
# hack/apidocs/doc.go.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
go run ./hack/apidocs staging/src/kvirt.io/api
echo "every exported API type and field is documented"
