#!/usr/bin/env bash
# Installs Fovea from the build tree into a scratch prefix, then configures, builds and runs
# examples/cmake-consumer against it with find_package(Fovea), as a user's project would.
set -euo pipefail
build=$1 source=$2 scratch=$3
rm -rf "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$source/examples/cmake-consumer" -B "$scratch/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/consumer"
"$scratch/consumer/sharpen_app"
# The program links the runtime and nothing of the compiler.
! ldd "$scratch/consumer/sharpen_app" | grep -E 'libHalide|libLLVM|antlr'
