#!/usr/bin/env bash
# Sets Stylize up (Scripts/setup.sh: libraries and the real weights the tests need) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift test -c release --disable-swift-testing
