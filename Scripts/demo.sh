#!/usr/bin/env bash
# Sets Stylize up (Scripts/setup.sh) and runs the demo on the samples, writing into demo-output/:
# a stylized picture with the video and GIF of its convergence, and a short clip stylized frame by frame.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
stylize=.build/release/stylize
out=demo-output
mkdir -p "$out"

$stylize info

echo
echo "== building.jpg in the style of The Starry Night, recorded as it forms"
$stylize image Samples/building.jpg Samples/starry_night_unframed.jpg -o "$out/building_starry.png" \
    --video "$out/building_starry.mp4" --gif "$out/building_starry.gif" --progress-every 20

echo
echo "== the first 12 frames of tree.mp4, stylized frame by frame"
rm -rf "$out/tree_starry.mp4.frames"  # a fresh run, not a resumed one
$stylize video Samples/tree.mp4 Samples/starry_night_unframed.jpg -o "$out/tree_starry.mp4" \
    --gif "$out/tree_starry.gif" --size 160 --max-frames 12 --progress-every 0

echo
echo "== a disc crossing the fruit fast, input | stylized: its paint moves with it instead of smearing behind"
rm -rf "$out/disc_starry.mp4.frames"
$stylize video Samples/disc-cross.mp4 Samples/starry_night_unframed.jpg -o "$out/disc_starry.mp4" \
    --gif "$out/disc_starry.gif" --side-by-side --size 160 --progress-every 0

echo
echo "demo done: $(cd "$out" && ls -1 *.png *.mp4 *.gif | tr '\n' ' ')"
