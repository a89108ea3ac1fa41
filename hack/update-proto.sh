#!/usr/bin/env bash
# Regenerates the Go code of the handler <-> launcher protocol (proto/**/*.proto)
# with protoc (Debian's protobuf-compiler) and the protoc-gen-go / protoc-gen-go-grpc
# plugins pinned in hack/tools/go.mod. The .pb.go files are written next to the
# .proto files.
# Usage: hack/update-proto.sh [ROOT]   (ROOT defaults to the repository)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "${1:-$REPO}" && pwd)
TOOLS_BIN="$REPO/_out/tools"

"$REPO/hack/install-deps.sh" build >/dev/null
mkdir -p "$TOOLS_BIN"
(cd "$REPO/hack/tools" && go build -o "$TOOLS_BIN/" \
	google.golang.org/protobuf/cmd/protoc-gen-go \
	google.golang.org/grpc/cmd/protoc-gen-go-grpc)

cd "$ROOT/proto"
find . -name '*.pb.go' -delete
mapfile -t files < <(find . -name '*.proto' | sed 's|^\./||' | sort)
echo "protoc ${files[*]}"
PATH="$TOOLS_BIN:$PATH" protoc -I . \
	--go_out=. --go_opt=paths=source_relative \
	--go-grpc_out=. --go-grpc_opt=paths=source_relative \
	"${files[@]}"
