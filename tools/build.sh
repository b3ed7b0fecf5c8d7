#!/usr/bin/env bash
# Configures and builds Fovea (installing missing packages first).
# Usage: tools/build.sh [cmake --build arguments, e.g. --target fovea]
# Environment:
#   FOVEA_BUILD_DIR   build folder (default: build)
#   FOVEA_BUILD_TYPE  Release, RelWithDebInfo (default) or Debug
#   FOVEA_WERROR      ON makes compiler warnings errors (the project's CI does this); default OFF
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
dir=${FOVEA_BUILD_DIR:-build}
type=${FOVEA_BUILD_TYPE:-RelWithDebInfo}
werror=${FOVEA_WERROR:-OFF}
echo "build: configuring $dir ($type, warnings as errors: $werror)"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DFOVEA_WERROR="$werror" >/dev/null
cmake --build "$dir" -j "$(nproc)" "$@"
