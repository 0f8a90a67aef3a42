#!/usr/bin/env bash
# Tiling's cost at a print's size, in one run on one machine: seconds per evaluation of a single SIZE² scale (VGG16,
# fixed-step L-BFGS: one evaluation an iteration), whole and under budgets that force tiles, with the plan each
# budget chose, its peak RSS (/usr/bin/time -v) and its time relative to the whole picture's.
#
#   Benchmarks/tiles.sh [SIZE [BUDGET ...]]     (default: 2048 3.5G 3G)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2048}
shift || true
iterations=4
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
swift build -c release --product stylize >/dev/null
stylize=.build/release/stylize
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A square photograph: the building, its middle cut to a square.
ffmpeg -nostdin -v error -y -i Samples/building.jpg -vf "crop=ih:ih,scale=$size:$size" "$work/square.png"
run() {  # budget (or "whole") → seconds per evaluation, plan, peak GB
    local budget=() label=$1
    [ "$label" = whole ] || budget=(--max-memory "$label")
    /usr/bin/time -v "$stylize" image "$work/square.png" Samples/starry_night_unframed.jpg -o "$work/out.png" --size "$size" \
        --scales 1 --iterations $iterations --model vgg16 --json "${budget[@]}" > "$work/events.json" 2> "$work/time.txt"
    python3 - "$work/events.json" "$work/time.txt" <<'EOF'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
scale = next(e for e in events if e["event"] == "scale")
its = [e for e in events if e["event"] == "iteration"]
# The first iteration also builds the objective's targets: time the ones after it.
seconds = (its[-1]["elapsed"] - its[0]["elapsed"]) / (len(its) - 1)
peak = next(l for l in open(sys.argv[2]) if "Maximum resident" in l).split()[-1]
tiles = f'{scale["tiles"]}×{scale["tile_width"]}×{scale["tile_height"]}' if scale["tiles"] > 1 else "whole"
print(f'{seconds:.2f} {int(peak) * 1024 / 1e9:.2f} {scale["memory_bytes"]} {tiles}')
EOF
}
read -r whole peak _ plan < <(run whole)
budgets=("$@")
((${#budgets[@]})) || budgets=(3.5G 3G)
printf '%-12s %-22s %12s %8s %7s\n' budget "plan (tiles×w×h)" "s/eval" "peak GB" ratio
printf '%-12s %-22s %12s %8s %7s\n' default "$plan" "$whole" "$peak" 1.00
for budget in "${budgets[@]}"; do
    read -r seconds peak _ plan < <(run "$budget")
    printf '%-12s %-22s %12s %8s %7.2f\n' "$budget" "$plan" "$seconds" "$peak" "$(python3 -c "print($seconds / $whole)")"
done
