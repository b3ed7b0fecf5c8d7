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
  python3-skimage
)

# Prints those of the given packages that are not installed, one a line.
not_installed() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

mapfile -t missing < <(not_installed "${PACKAGES[@]}")
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
echo "setup: this downloads several hundred MB on a fresh machine and takes a few minutes; apt's progress follows"
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)
"${SUDO[@]}" apt-get update -q
# -q keeps one line per downloaded and unpacked package (the progress) without the animated bars
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
  | grep --line-buffered -E '^(Get:|Unpacking|Setting up|E:|W:)' || true
# grep hides apt's exit status: check that every package is now installed
mapfile -t still < <(not_installed "${missing[@]}")
if [ ${#still[@]} -ne 0 ]; then
  echo "setup: these packages could not be installed: ${still[*]}" >&2
  exit 1
fi
echo "setup: done in $(( $(date +%s) - started )) s"
