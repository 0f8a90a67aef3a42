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
# Every module is compiled from its whole folder, except Weights: its model store and downloads need swift-crypto
# and swift-subprocess, which the readers do not use; every other file of Sources/Weights is a reader's.
weights_store_sources=(FileDigest ExternalTool ModelFetch ModelStore)

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

# library MODULE DEPENDENCIES [SOURCES…]: a module instrumented like the harnesses, compiled from SOURCES (by default
# every file of Sources/MODULE) after the modules it imports (DEPENDENCIES, a space-separated list), and rebuilt when
# one of its files or a dependency is newer than its object. -enable-testing lets the weights harnesses reach the
# internal reader types with @testable import.
library() {
    local module=$1 dependencies=($2) object=$out/modules/$1.o sources=("${@:3}") newer=() d
    [[ ${#sources[@]} -eq 0 ]] && sources=(Sources/"$module"/*.swift)
    for d in "${dependencies[@]}"; do library "$d" "$(dependencies_of "$d")"; newer+=("$out/modules/$d.o"); done
    if [[ -f $object && -z $(find "Sources/$module" "${newer[@]}" -newer "$object" | head -1) ]]; then return; fi
    echo "building $module" >&2
    swiftc "${flags[@]}" -enable-testing -module-name "$module" -emit-module -emit-module-path "$out/modules/$module.swiftmodule" \
        -I "$out/modules" $(c_modules_of "$module") -wmo -c "${sources[@]}" -o "$object"
}

# What each instrumented module imports (as in Package.swift) and the C module maps and headers it needs.
dependencies_of() {
    case $1 in
    Layers) echo TensorCore ;;
    Models) echo TensorCore Layers ;;
    StyleTransfer) echo TensorCore Layers Models Optimizers ;;
    Weights) echo TensorCore Layers Models AtomicFiles ;;
    Media) echo AtomicFiles ;;
    esac
}
c_modules_of() {
    case $1 in
    Weights) echo -I Sources/CZlib ;;
    Media) echo -I Sources/CFFmpeg -I Sources/CPNG $(pkg-config --cflags-only-I libavformat libpng | sed 's/-I/-Xcc -I/g') ;;
    esac
}

# objects_of MODULE…: the objects of MODULE and of every module it depends on, each once.
objects_of() {
    local m d
    for m in "$@"; do
        for d in $(dependencies_of "$m"); do objects_of "$d"; done
        echo "$out/modules/$m.o"
    done | awk '!seen[$0]++'
}

build() {
    local name=$1 module
    case $name in
    recipe) module=StyleTransfer; library StyleTransfer "$(dependencies_of StyleTransfer)" ;;
    image | video) module=Media; library Media "$(dependencies_of Media)" ;;
    *)
        module=Weights
        local readers=() file
        for file in Sources/Weights/*.swift; do
            [[ " ${weights_store_sources[*]} " == *" $(basename "$file" .swift) "* ]] || readers+=("$file")
        done
        library Weights "$(dependencies_of Weights)" "${readers[@]}" ;;
    esac
    local support=()
    [[ -f Fuzz/Harnesses/${module}Support.swift ]] && support=("Fuzz/Harnesses/${module}Support.swift")
    echo "building $name" >&2
    swiftc "${flags[@]}" -module-name "Fuzz_${name//-/_}" "${support[@]}" "Fuzz/Harnesses/$name.swift" \
        -I "$out/modules" $(c_modules_of "$module") $(objects_of "$module") -o "$out/bin/$name"
}

for name in "${selected[@]}"; do build "$name"; done
$build_only && exit 0

for name in "${selected[@]}"; do
    mkdir -p "$out/corpus/$name"
    echo "fuzzing $name ${fuzz_args[*]}" >&2
    # New finds go to the first (scratch) folder; the seeds are read but never written.
    (cd "$out" && "bin/$name" -rss_limit_mb=2048 -timeout=10 "${fuzz_args[@]}" "corpus/$name" "../Corpus/$name")
done
