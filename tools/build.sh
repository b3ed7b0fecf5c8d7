#!/usr/bin/env bash
# Configures and builds Fovea in build/ (installing missing packages first).
# Usage: tools/build.sh [cmake --build arguments, e.g. --target fovea]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" "$@"
