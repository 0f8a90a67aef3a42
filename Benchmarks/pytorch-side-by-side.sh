#!/bin/sh
# VGG19 to conv5_1, forward + input gradient: PyTorch (CPU) and `stylize bench` in one run, on the same machine,
# at 256² and 512², alternating the two `ROUNDS` times so both see the same load; prints each side's best
# time and the ratio Stylize / PyTorch.
#
#   PYTHON=/path/to/venv/bin/python Benchmarks/pytorch-side-by-side.sh
#
# PYTHON must import torch (python3 -m venv VENV && VENV/bin/pip install torch). STYLIZE defaults to the release
# build; STYLIZE_ISA passes through to it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
STYLIZE=${STYLIZE:-$here/../.build/release/stylize}
ROUNDS=${ROUNDS:-3}
ITERATIONS=${ITERATIONS:-3}
"$PYTHON" -c 'import torch' || { echo "error: $PYTHON cannot import torch; set PYTHON to a Python with PyTorch" >&2; exit 1; }
[ -x "$STYLIZE" ] || { echo "error: no stylize at $STYLIZE; run swift build -c release or set STYLIZE" >&2; exit 1; }
threads=$(nproc)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for size in 256 512; do
    round=1
    while [ "$round" -le "$ROUNDS" ]; do
        "$STYLIZE" bench --model vgg19 --size "$size" --iterations "$ITERATIONS" --json |
            sed -n 's/.*"isa": "\([a-z0-9]*\)".*"seconds_per_eval": \([0-9.]*\).*/stylize '"$size"' \2 \1/p' >>"$results"
        "$PYTHON" "$here/vgg19_torch.py" --size "$size" --iterations "$ITERATIONS" --threads "$threads" |
            sed -n 's/.*"seconds_per_eval": \([0-9.e-]*\).*"torch": "\([^"]*\)".*/torch '"$size"' \1 \2/p' >>"$results"
        round=$((round + 1))
    done
done
echo "VGG19 to conv5_1, forward + input gradient, $threads threads, best of $ROUNDS alternating runs of $ITERATIONS evaluations"
awk '
    { if (!(($1, $2) in best) || $3 < best[$1, $2]) best[$1, $2] = $3; label[$1] = $4 }
    END {
        printf "%-6s %14s %18s %8s\n", "size", "stylize (" label["stylize"] ")", "pytorch " label["torch"], "ratio"
        for (s = 256; s <= 512; s *= 2)
            printf "%-6s %11.0f ms %15.0f ms %7.2fx\n", s "²", best["stylize", s] * 1000, best["torch", s] * 1000, best["stylize", s] / best["torch", s]
    }' "$results"
