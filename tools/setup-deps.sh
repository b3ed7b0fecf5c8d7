#!/usr/bin/env bash
# Installs the Debian 12 packages Fovea needs to build and test, if any are missing.
# Runs as root, or through sudo where available. Safe to run again: it installs nothing when all is there.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ make pkg-config
  libhalide14-0-dev llvm-14-dev libpng-dev libjpeg-dev libtiff-dev zlib1g-dev
  antlr4 libantlr4-runtime-dev uuid-dev default-jre-headless
  libopencv-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  graphviz binutils
  libonnx-testdata
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run this script as root (or install sudo) so that it can install them" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
