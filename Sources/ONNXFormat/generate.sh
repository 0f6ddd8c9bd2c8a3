#!/usr/bin/env bash
# generate.sh — regenerates onnx.pb.swift from the official onnx/onnx.proto, the copy the
# pip package `onnx` ships in site-packages (version pinned below), so no schema text of
# ONNX is kept in this repository.
#
# Needs python3 with onnx==$ONNX_VERSION (`pip install onnx==1.23.2`), protoc (Debian:
# protobuf-compiler) and protoc-gen-swift of the SwiftProtobuf version Package.swift names
# (1.39.0), built outside the repository, for example:
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift bash Sources/ONNXFormat/generate.sh
# CI does not run it: the generated Swift is committed.
set -euo pipefail
ONNX_VERSION=1.23.2
cd "$(dirname "$0")"
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
if [ -z "$plugin" ]; then
  echo "generate.sh: set PROTOC_GEN_SWIFT to the protoc-gen-swift binary (see the comment at the top)" >&2
  exit 1
fi
python="${PYTHON:-python3}"
installed="$("$python" -c 'import onnx; print(onnx.__version__)')" || {
  echo "generate.sh: $python cannot import onnx; pip install onnx==$ONNX_VERSION" >&2
  exit 1
}
if [ "$installed" != "$ONNX_VERSION" ]; then
  echo "generate.sh: onnx $installed is installed, but the committed Swift is made from onnx $ONNX_VERSION's onnx.proto; pip install onnx==$ONNX_VERSION (or change ONNX_VERSION here and in docs/interchange.md)" >&2
  exit 1
fi
schema_dir="$("$python" -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')"
[ -f "$schema_dir/onnx.proto" ] || { echo "generate.sh: no onnx.proto in $schema_dir" >&2; exit 1; }
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Package --swift_out=. \
  --proto_path="$schema_dir" "$schema_dir/onnx.proto"
echo "wrote $(pwd)/onnx.pb.swift from onnx $ONNX_VERSION's $schema_dir/onnx.proto"
