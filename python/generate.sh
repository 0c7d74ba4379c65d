#!/usr/bin/env bash
# Regenerates the Python protobuf code for every protocol/gym/v1/*.proto into
# python/gymd/protocol/gym/v1. Uses protoc (Debian: protobuf-compiler, 3.21), whose output
# runs on every protobuf runtime from 4.21 on; cross-file imports are rewritten to relative
# ones so the generated modules live inside the gymd package.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
protocol="$here/../protocol"
out="$here/gymd/protocol"
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
rm -rf "$out/gym"
mkdir -p "$out"
protoc -I "$protocol" --python_out="$out" "$protocol"/gym/v1/*.proto
for file in "$out"/gym/v1/*_pb2.py; do
  sed -i -E 's/^from gym\.v1 import ([a-z0-9_]+_pb2)/from . import \1/' "$file"
done
touch "$out/gym/__init__.py" "$out/gym/v1/__init__.py"
echo "generated $(ls "$out"/gym/v1/*_pb2.py | wc -l) module(s) into $out/gym/v1 with $(protoc --version)"
