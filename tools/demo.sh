#!/usr/bin/env bash
# The main job: sets everything up, builds the `fovea` command, checks every bundled example
# and prints a summary, then shows what a diagnostic looks like.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh --target fovea
FOVEA=build/compiler/fovea

echo
echo "== fovea check examples/*.fov"
start=$(date +%s%N)
"$FOVEA" check examples/*.fov
end=$(date +%s%N)
echo "checked in $(( (end - start) / 1000000 )) ms"

echo
echo "== what an error looks like (docs/demo/typo.fov)"
"$FOVEA" check docs/demo/typo.fov || true
