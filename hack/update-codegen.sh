#!/usr/bin/env bash
# Regenerates every generated Go file and manifest: deep copies, typed clients,
# (clientset, listers, informers, apply configurations), CRDs (with the served
# copy kubevirt.io/v1alpha3 of each kubevirt.io/v1 version), virt-api registration
# the release manifests and docs/unsupported-fields.md (virt-api's unsupported-field table).
# Usage: hack/update-codegen.sh [ROOT]   (ROOT defaults to the repository; verify
# passes a copy of the tree and diffs it against the original).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "${1:-$REPO}" && pwd)
TOOLS_BIN="$REPO/_out/tools"
BOILERPLATE="$REPO/hack/boilerplate.go.txt"

API_MOD=kvirt.io/api
CLIENT_MOD=kvirt.io/client-go
API_DIR="$ROOT/staging/src/kvirt.io/api"
CLIENT_DIR="$ROOT/staging/src/kvirt.io/client-go"
API_GROUPS=(core/v1 instancetype/v1beta1 migrations/v1alpha1 cdi/v1beta1)
DEEPCOPY=(core/v1 instancetype/v1beta1 migrations/v1alpha1 cdi/v1beta1)

echo "building pinned generators into $TOOLS_BIN"
mkdir -p "$TOOLS_BIN"
(cd "$REPO/hack/tools" && go build -o "$TOOLS_BIN/" \
	k8s.io/code-generator/cmd/deepcopy-gen \
	k8s.io/code-generator/cmd/client-gen \
	k8s.io/code-generator/cmd/lister-gen \
	k8s.io/code-generator/cmd/informer-gen \
	k8s.io/code-generator/cmd/applyconfiguration-gen \
	sigs.k8s.io/controller-tools/cmd/controller-gen)

echo "deepcopy-gen"
(cd "$API_DIR" && "$TOOLS_BIN/deepcopy-gen" --go-header-file "$BOILERPLATE" \
	--output-file zz_generated.deepcopy.go "${DEEPCOPY[@]/#/$API_MOD/}")

GEN="$CLIENT_DIR/generated"
rm -rf "$GEN"
inputs=("${API_GROUPS[@]/#/$API_MOD/}")

echo "applyconfiguration-gen"
(cd "$CLIENT_DIR" && "$TOOLS_BIN/applyconfiguration-gen" --go-header-file "$BOILERPLATE" \
	--output-dir "$GEN/applyconfiguration" --output-pkg "$CLIENT_MOD/generated/applyconfiguration" \
	"${inputs[@]}")

echo "client-gen"
(cd "$CLIENT_DIR" && "$TOOLS_BIN/client-gen" --go-header-file "$BOILERPLATE" \
	--clientset-name versioned --input-base "" \
	$(printf -- '--input %s ' "${inputs[@]}") \
	--apply-configuration-package "$CLIENT_MOD/generated/applyconfiguration" \
	--output-dir "$GEN/clientset" --output-pkg "$CLIENT_MOD/generated/clientset")

echo "lister-gen"
(cd "$CLIENT_DIR" && "$TOOLS_BIN/lister-gen" --go-header-file "$BOILERPLATE" \
	--output-dir "$GEN/listers" --output-pkg "$CLIENT_MOD/generated/listers" "${inputs[@]}")

echo "informer-gen"
(cd "$CLIENT_DIR" && "$TOOLS_BIN/informer-gen" --go-header-file "$BOILERPLATE" \
	--versioned-clientset-package "$CLIENT_MOD/generated/clientset/versioned" \
	--listers-package "$CLIENT_MOD/generated/listers" \
	--output-dir "$GEN/informers" --output-pkg "$CLIENT_MOD/generated/informers" "${inputs[@]}")

echo "controller-gen crds -> manifests/crds"
rm -rf "$ROOT/manifests/crds"
(cd "$API_DIR" && "$TOOLS_BIN/controller-gen" \
	crd:allowDangerousTypes=true,generateEmbeddedObjectMeta=true \
	paths=./core/v1/... paths=./instancetype/v1beta1/... paths=./migrations/v1alpha1/... \
	output:crd:artifacts:config="$ROOT/manifests/crds")

# CDI's DataVolume and DataSource go to their own directory: virt-operator embeds
# manifests/crds and installs every CRD there, and these must only be installed
# where no CDI owns them.
echo "controller-gen crds -> manifests/cdi-crds"
rm -rf "$ROOT/manifests/cdi-crds"
(cd "$API_DIR" && "$TOOLS_BIN/controller-gen" \
	crd:allowDangerousTypes=true \
	paths=./cdi/v1beta1/... \
	output:crd:artifacts:config="$ROOT/manifests/cdi-crds")

echo "kubevirt.io/v1alpha3 (a served, not stored copy of v1) -> manifests/crds"
(cd "$ROOT" && go run ./hack/crd-versions "$ROOT/manifests/crds")

echo "virt-api registration -> manifests/virt-api"
mkdir -p "$ROOT/manifests/virt-api"
(cd "$ROOT" && go run ./hack/virt-api-manifests >"$ROOT/manifests/virt-api/registration.yaml")

echo "release manifests -> manifests/release"
rm -rf "$ROOT/manifests/release"
(cd "$ROOT" && go run ./hack/release-manifests "$ROOT/manifests/release")

echo "unsupported-field table -> docs/unsupported-fields.md"
(cd "$ROOT" && go run ./hack/unsupported-docs >"$ROOT/docs/unsupported-fields.md")
