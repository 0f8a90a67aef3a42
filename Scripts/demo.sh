#!/usr/bin/env bash
# Sets Stylize up (Scripts/setup.sh) and runs the demo on the samples, writing into demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
stylize=.build/release/stylize
mkdir -p demo-output
$stylize info
