#!/usr/bin/env bash
# The whole test suite: sets everything up, builds everything, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
