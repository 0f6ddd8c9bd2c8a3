#!/usr/bin/env bash
# generate.sh — regenerates onnx-subset.pb.swift from onnx-subset.proto.
#
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift of the SwiftProtobuf version
# Package.swift names (1.39.0), built outside the repository, for example:
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift bash Sources/ONNXFormat/generate.sh
set -euo pipefail
cd "$(dirname "$0")"
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
if [ -z "$plugin" ]; then
  echo "generate.sh: set PROTOC_GEN_SWIFT to the protoc-gen-swift binary (see the comment at the top)" >&2
  exit 1
fi
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_out=. onnx-subset.proto
echo "wrote $(pwd)/onnx-subset.pb.swift"
