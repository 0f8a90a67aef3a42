#!/usr/bin/env bash
# Prints at large sizes: this checkout's `stylize image` beside another commit's, in one run on one machine, with
# the wall time and peak RSS each took (/usr/bin/time -v), then how close each large picture, downscaled to
# --preview-size, comes to the style of a run made at that size (its style loss there, and the ratio).
#
#   Benchmarks/prints.sh BASE [SIZE ...]        (default: 2048)
#
# BASE: a commit to build, or an already built `stylize` executable. PRINTS_KEEP=DIR keeps the pictures there.
#
# Runs are sequential, so the two do not compete for the cores; a size the base refuses is reported as such.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: Benchmarks/prints.sh BASE_COMMIT_OR_EXECUTABLE [SIZE ...]}
shift
sizes=("$@")
((${#sizes[@]})) || sizes=(2048)
content=Samples/building.jpg style=Samples/starry_night_unframed.jpg preview=512

command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
work=$(mktemp -d)
if [ -x "$base" ] && [ -f "$base" ]; then
    trap 'rm -rf "$work"' EXIT
    old=$base
else
    git worktree add --detach "$work/base" "$base" >/dev/null
    trap 'git worktree remove --force "$work/base" >/dev/null; rm -rf "$work"' EXIT
    echo "building $base"
    (cd "$work/base" && swift build -c release --product stylize >/dev/null)
    old=$work/base/.build/release/stylize
fi
echo "building this checkout"
swift build -c release --product stylize >/dev/null
new=.build/release/stylize

# The style loss of a picture at --preview-size, against the same style (iterations 0: the start is evaluated),
# downscaled by Stylize's own resampler, and by the ffmpeg command's area filter (a resampler it does not share).
style_loss() {
    "$new" image "$1" "$style" -o "$work/eval.png" --init "$1" --size "$preview" --scales 1 --iterations 0 --model vgg16 --json |
        python3 -c 'import json,sys; print([json.loads(l) for l in sys.stdin][-1]["losses"]["style"])'
}
area_style_loss() {
    ffmpeg -nostdin -v error -y -i "$1" -vf "scale=$preview:$preview:force_original_aspect_ratio=decrease:flags=area" "$work/area.png"
    style_loss "$work/area.png"
}

"$new" image "$content" "$style" -o "$work/preview.png" --size "$preview" --model vgg16 --quiet
reference=$(style_loss "$work/preview.png")
echo "a $preview px run's own style loss at $preview px: $reference"
printf '%-6s %-5s %10s %10s %12s %8s %8s\n' size build seconds "peak GB" "style@$preview" ratio "area"
for size in "${sizes[@]}"; do
    for build in base new; do
        binary=$([ $build = base ] && echo "$old" || echo "$new")
        out=$work/$build-$size.png
        if /usr/bin/time -v "$binary" image "$content" "$style" -o "$out" --size "$size" --model vgg16 --quiet \
            2> "$work/time.txt" > /dev/null; then
            seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.txt")
            peak=$(awk '/Maximum resident set size/ { printf "%.2f", $6 / 1048576 }' "$work/time.txt")
            loss=$(style_loss "$out") area=$(area_style_loss "$out")
            [ -z "${PRINTS_KEEP:-}" ] || { mkdir -p "$PRINTS_KEEP"; cp "$out" "$work/preview.png" "$PRINTS_KEEP/"; }
            printf '%-6s %-5s %10.0f %10s %12.4g %8.2f %8.2f\n' "$size" $build "$seconds" "$peak" "$loss" \
                "$(python3 -c "print($loss / $reference)")" "$(python3 -c "print($area / $reference)")"
        else
            printf '%-6s %-5s refused or failed: %s\n' "$size" $build "$(grep -v '^\s' "$work/time.txt" | head -1)"
        fi
    done
done
