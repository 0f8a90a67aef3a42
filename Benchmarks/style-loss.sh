#!/bin/sh
# Gram against W2 (`--style-loss gram|w2`) on the four sample pairs (astronaut, chelsea, building, coffee × The Starry
# Night, unframed), one scale at SIZE px (256), ITERATIONS L-BFGS iterations (100), VGG16: for each pair and loss, the
# seconds per iteration, then both outputs scored by both losses (the picture as the start of a 0-iteration run, so
# the same targets score it); writes OUT (default style-loss.png): a contact sheet, the pairs in rows, Gram | W2.
#
#   Benchmarks/style-loss.sh [OUT]
#
# The style column is the style term before its weight: for gram the layers' Gram losses, for w2 the layers'
# W2²/C times 1e-5 (`Objective.w2Scale`). STYLIZE defaults to the release build, with vgg16 installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
samples=$here/../Samples
STYLIZE=${STYLIZE:-$here/../.build/release/stylize}
SIZE=${SIZE:-256}
ITERATIONS=${ITERATIONS:-100}
out=${1:-style-loss.png}
style=$samples/starry_night_unframed.jpg
[ -x "$STYLIZE" ] || { echo "error: no stylize at $STYLIZE; run swift build -c release or set STYLIZE" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common="--model vgg16 --size $SIZE --scales 1 --progress-every 0 --quiet"
# "seconds-per-iteration" and "style" of a sidecar.
field() { sed -n "s/.*\"$2\" : \\([0-9.e+-]*\\).*/\\1/p" "$1" | head -n 1; }
printf '%-10s %-5s %12s %16s %16s\n' pair loss "s/iteration" "Gram style" "W2 style"
rows=""
for content in astronaut.jpg chelsea.png building.jpg coffee.jpg; do
    pair=${content%.*}
    for loss in gram w2; do
        "$STYLIZE" image "$samples/$content" "$style" -o "$work/$pair-$loss.png" --style-loss "$loss" \
            --iterations "$ITERATIONS" $common >/dev/null
        seconds=$(field "$work/$pair-$loss.json" run_seconds)
        for judge in gram w2; do
            "$STYLIZE" image "$samples/$content" "$style" -o "$work/$pair-$loss-by-$judge.png" --style-loss "$judge" \
                --iterations 0 --init "$work/$pair-$loss.png" $common >/dev/null
        done
        # The final losses follow the trace in the sidecar: the last "style" is the final one.
        gram=$(sed -n 's/.*"style" : \([0-9.e+-]*\).*/\1/p' "$work/$pair-$loss-by-gram.json" | tail -n 1)
        w2=$(sed -n 's/.*"style" : \([0-9.e+-]*\).*/\1/p' "$work/$pair-$loss-by-w2.json" | tail -n 1)
        printf '%-10s %-5s %12.3f %16.4g %16.4g\n' "$pair" "$loss" "$(echo "$seconds / $ITERATIONS" | bc -l)" "$gram" "$w2"
    done
    # The two side by side at SIZE px wide each, a white margin right and below.
    ffmpeg -nostdin -v error -y -i "$work/$pair-gram.png" -i "$work/$pair-w2.png" -filter_complex \
        "[0]scale=$SIZE:-2,pad=iw+8:ih+8:0:0:white[a];[1]scale=$SIZE:-2,pad=iw+8:ih+8:0:0:white[b];[a][b]hstack" "$work/row-$pair.png"
    rows="$rows -i $work/row-$pair.png"
done
ffmpeg -nostdin -v error -y $rows -filter_complex "vstack=inputs=4" -frames:v 1 "$out"
echo "wrote $out (rows: astronaut, chelsea, building, coffee; columns: gram, w2)"
