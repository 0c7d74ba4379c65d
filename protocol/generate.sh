#!/usr/bin/env bash
# Regenerates the Swift code for protocol/gym/v1/*.proto into Sources/GymProtocol/Generated.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift, built once from the
# swift-protobuf package this project depends on:
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf && cd swift-protobuf
#   swift build -c release --product protoc-gen-swift
# then pass its path: PROTOC_GEN_SWIFT=.../.build/release/protoc-gen-swift protocol/generate.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}
[ -x "$plugin" ] || { echo "protoc-gen-swift not found: set PROTOC_GEN_SWIFT" >&2; exit 1; }
out="$here/../Sources/GymProtocol/Generated"
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$out" -I "$here" "$here"/gym/v1/*.proto
echo "generated into $out"
