#!/usr/bin/env bash
# Builds the test plugins into DIR: one good C plugin, three broken libraries and a file that
# is not a library at all. Used by the plugin tests; handy by hand too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
include="$here/../../../Sources/CGymPlugin/include"
if [ "${1:-}" = --stuck ]; then
  # The plugin whose step never returns, alone in DIR (for the daemon's watchdog tests).
  out=${2:?usage: build_fixtures.sh --stuck DIR}
  mkdir -p "$out"
  cc -shared -fPIC -O0 -Wall -Werror -I "$include" -o "$out/stuck_env.so" "$here/stuck_env.c"
  exit 0
fi
out=${1:?usage: build_fixtures.sh DIR}
mkdir -p "$out"
for name in counter_env wrong_abi no_entry create_fails; do
  cc -shared -fPIC -O2 -Wall -Werror -I "$include" -o "$out/$name.so" "$here/$name.c"
done
echo "this is not a shared library" > "$out/not_a_library.so"
