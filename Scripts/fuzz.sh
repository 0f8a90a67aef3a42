#!/usr/bin/env bash
# Builds the libFuzzer harnesses of Fuzz/Harnesses with swiftc (-sanitize=fuzzer,address) into Fuzz/.build and runs
# them on their seed corpora (Fuzz/Corpus/<harness>). Why swiftc and not SwiftPM: Fuzz/README.md.
#
#   Scripts/fuzz.sh                       every harness, 10 s each (a smoke)
#   Scripts/fuzz.sh zip -runs=1000000     one harness, one million executions
#   Scripts/fuzz.sh all -max_total_time=60
#   Scripts/fuzz.sh --build-only [harness]
#
# New inputs the fuzzer finds go to Fuzz/.build/corpus/<harness> (not the repository); a crash leaves
# Fuzz/.build/crash-* to reproduce with `Fuzz/.build/bin/<harness> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

weights_harnesses=(unpickler torch-zip torch-legacy zip safetensors numpy lpips)
all_harnesses=("${weights_harnesses[@]}" recipe image video)
# The reader sources each group compiles (only these: the rest of Weights needs swift-crypto and swift-subprocess).
weights_sources=(ByteReader Unpickler PickleValue TorchCheckpoint ZipArchive Safetensors NumpyCheckpoint LPIPSCheckpoint
                 WeightFile RegularFile WeightsError WeightArray ScalarType WeightLayout)
recipe_sources=(Recipe Normalization)

build_only=false
if [[ ${1:-} == --build-only ]]; then build_only=true; shift; fi
harness=${1:-all}
[[ $# -gt 0 ]] && shift
if [[ $harness == all ]]; then selected=("${all_harnesses[@]}")
elif [[ " ${all_harnesses[*]} " == *" $harness "* ]]; then selected=("$harness")
else echo "unknown harness $harness; known: ${all_harnesses[*]}" >&2; exit 2; fi
fuzz_args=("$@")
[[ ${#fuzz_args[@]} -eq 0 ]] && fuzz_args=(-max_total_time=10)

out=Fuzz/.build
mkdir -p "$out/bin" "$out/modules"
flags=(-O -sanitize=fuzzer,address -parse-as-library -swift-version 5 -use-ld=lld)

# library MODULE FOLDER SOURCES…: a module instrumented like the harnesses, rebuilt when a file of FOLDER is newer.
# -enable-testing lets the weights harnesses reach the internal reader types with @testable import.
library() {
    local module=$1 folder=$2 object=$out/modules/$1.o; shift 2
    [[ -f $object && -z $(find "$folder" -newer "$object" | head -1) ]] && return
    echo "building $module" >&2
    swiftc "${flags[@]}" -enable-testing -module-name "$module" -emit-module -emit-module-path "$out/modules/$module.swiftmodule" \
        -wmo -c "$@" "${library_extra[@]}" -o "$object"
}

build() {
    local name=$1 sources=() extra=()
    case $name in
    recipe)
        for s in "${recipe_sources[@]}"; do sources+=("Sources/StyleTransfer/$s.swift"); done ;;
    image | video)
        library_extra=(); library AtomicFiles Sources/AtomicFiles Sources/AtomicFiles/*.swift
        library_extra=(-I Sources/CFFmpeg -I Sources/CPNG -I "$out/modules" $(pkg-config --cflags-only-I libavformat libpng | sed 's/-I/-Xcc -I/g'))
        library Media Sources/Media Sources/Media/*.swift
        sources=(Fuzz/Harnesses/MediaSupport.swift)
        extra=("${library_extra[@]}" "$out/modules/Media.o" "$out/modules/AtomicFiles.o") ;;
    *)
        library_extra=(); library AtomicFiles Sources/AtomicFiles Sources/AtomicFiles/*.swift
        local weights=()
        for s in "${weights_sources[@]}"; do weights+=("Sources/Weights/$s.swift"); done
        library_extra=(-I Sources/CZlib -I "$out/modules")
        library Weights Sources/Weights "${weights[@]}"
        sources=(Fuzz/Harnesses/WeightsSupport.swift)
        extra=("${library_extra[@]}" "$out/modules/Weights.o" "$out/modules/AtomicFiles.o") ;;
    esac
    echo "building $name" >&2
    swiftc "${flags[@]}" -module-name "Fuzz_${name//-/_}" "${sources[@]}" "Fuzz/Harnesses/$name.swift" "${extra[@]}" \
        -o "$out/bin/$name"
}

for name in "${selected[@]}"; do build "$name"; done
$build_only && exit 0

for name in "${selected[@]}"; do
    mkdir -p "$out/corpus/$name"
    echo "fuzzing $name ${fuzz_args[*]}" >&2
    # New finds go to the first (scratch) folder; the seeds are read but never written.
    (cd "$out" && "bin/$name" -rss_limit_mb=2048 -timeout=10 "${fuzz_args[@]}" "corpus/$name" "../Corpus/$name")
done
