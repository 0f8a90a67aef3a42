#!/usr/bin/env bash
# Regenerates the README gallery in docs/gallery/ from Samples/ with the release build: a picture with the GIF of
# its convergence, a texture, and the sheet of what each VGG layer keeps. Small on purpose (256 px pictures, a
# sheet of 5 × 160 px, a GIF under 1 MB) so the files can live in the repository. Needs the `ffmpeg` command and
# fonts-dejavu-core (the sheet's labels). About 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
stylize=.build/release/stylize
[ -x "$stylize" ] || swift build -c release --product stylize
out=docs/gallery
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
command -v ffmpeg >/dev/null || { echo "gallery: the ffmpeg command is missing: install the ffmpeg package" >&2; exit 1; }
[ -f "$font" ] || { echo "gallery: $font is missing: install fonts-dejavu-core" >&2; exit 1; }
mkdir -p "$out"
common=(--model vgg16 --progress-every 0)

echo "== building.jpg as The Starry Night, and the GIF of it forming"
$stylize image Samples/building.jpg Samples/starry_night_unframed.jpg -o "$out/building_starry.png" \
    --size 256 --gif "$out/building_starry.gif" --gif-width 224 --fps 10 "${common[@]}"

echo "== a texture from The Starry Night alone"
$stylize texture Samples/starry_night_unframed.jpg -o "$out/starry_texture.png" --size 256 "${common[@]}"

echo "== what each layer keeps: building.jpg rebuilt from noise out of one layer (reconstruct's defaults)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
layers=(conv1_1 conv2_1 conv3_1 conv4_1 conv5_1)
inputs=()
for l in "${layers[@]}"; do
    $stylize reconstruct Samples/building.jpg -o "$tmp/$l.png" --content-layers "$l" --size 160 "${common[@]}"
    inputs+=(-i "$tmp/$l.png")
done
labels=""
for i in "${!layers[@]}"; do
    labels+="[$i:v]drawtext=fontfile=$font:text=${layers[$i]}:x=4:y=4:fontsize=13:fontcolor=white:box=1:boxborderw=3:boxcolor=black@0.6[l$i];"
done
ffmpeg -v error -y "${inputs[@]}" -filter_complex "${labels}[l0][l1][l2][l3][l4]hstack=inputs=5" \
    -frames:v 1 -update 1 "$out/building_layers.png"

du -h "$out"/*
