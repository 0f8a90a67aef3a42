#!/usr/bin/env bash
# Regenerates the README gallery in docs/gallery/ from Samples/ with the release build: a picture with the GIF of
# its convergence, a texture, the sheet of what each VGG layer keeps, and the sheets of the classic sweeps (one
# with the GIF of its cells forming). Small on purpose (256 px pictures, 128–160 px cells, GIFs under 1 MB) so
# the files can live in the repository. Needs the `ffmpeg` command and fonts-dejavu-core (the sheets' labels).
# About 10 minutes on 2 cores.
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

# print_pair PREVIEW PRINT OUT: writes OUT, the preview, the print downscaled to the preview's size (area filter)
# and a crop of the print at full size from its upper middle, side by side and labelled.
print_pair() {
    local w h label="drawtext=fontfile=$font:x=6:y=6:fontsize=16:fontcolor=white:box=1:boxborderw=4:boxcolor=black@0.6"
    read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$1" | tr x ' ')
    ffmpeg -v error -y -i "$1" -i "$2" -filter_complex "[0:v]$label:text='$w px run'[a];
        [1:v]split[p1][p2]; [p1]scale=$w:$h:flags=area,$label:text='print, downscaled'[b];
        [p2]crop=$w:$h:(in_w-$w)/2:in_h/8,$label:text='print, a $w px crop'[c]; [a][b][c]hstack=inputs=3" \
        -frames:v 1 -update 1 -q:v 3 "$3"
}

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

# The classic sweeps, each one `stylize grid` sheet (the README's *The classic experiments* gives the commands).
echo "== style weight 1e3 … 1e7"
$stylize grid Samples/building.jpg Samples/starry_night_unframed.jpg -o "$out/sweep_style_weight.png" --size 160 \
    --vary style_weight=1e3,1e4,1e5,1e6,1e7 "${common[@]}"

echo "== content or noise start × L-BFGS or Adam, and the four forming side by side"
$stylize grid Samples/building.jpg Samples/starry_night_unframed.jpg -o "$out/sweep_init_optimizer.png" --size 160 \
    --iterations 200 --vary init=content,noise --vary optimizer=lbfgs,adam \
    --gif "$out/sweep_init_optimizer.gif" --gif-width 600 --fps 10 "${common[@]}"

echo "== style scale"
$stylize grid Samples/building.jpg Samples/starry_night_unframed.jpg -o "$out/sweep_style_scale.png" --size 160 \
    --vary style_scale=0.5,1,2 "${common[@]}"

echo "== textures from growing sets of style layers, two seeds"
$stylize grid Samples/building.jpg Samples/starry_night_unframed.jpg -o "$out/sweep_texture_layers.png" \
    --recipe Samples/recipes/texture.json --size 128 \
    --vary style_layers=relu1_1,relu1_1+relu2_1,relu1_1+relu2_1+relu3_1,relu1_1+relu2_1+relu3_1+relu4_1,relu1_1+relu2_1+relu3_1+relu4_1+relu5_1 \
    --vary seed=1,2 "${common[@]}"

echo "== a 2048 px print beside its 512 px preview: the preview | the print downscaled to 512 | a 512 px crop of it"
$stylize image Samples/building.jpg Samples/starry_night_unframed.jpg -o "$tmp/preview.png" --size 512 "${common[@]}"
$stylize image Samples/building.jpg Samples/starry_night_unframed.jpg -o "$tmp/print.png" --size 2048 "${common[@]}"
print_pair "$tmp/preview.png" "$tmp/print.png" "$out/print_preview.jpg"

# The gallery keeps the pictures; each run's sidecar names this machine's paths and timings, and the commands
# above are the record of how they were made.
rm -f "$out"/*.json
du -h "$out"/*
