#!/usr/bin/env bash
# Fuzzes the STIO parsers with libFuzzer (`make fuzz`): ONNX, safetensors, .npy/.npz and skeletons
# (NTU .skeleton text and skeleton arrays).
#
# The targets live in the SwiftPM package Fuzz/ (one executable per parser, each defining only
# LLVMFuzzerTestOneInput), which depends on this package by path. It is built with libFuzzer's
# coverage instrumentation and AddressSanitizer in every module, STIO, STCore and SwiftProtobuf
# included (a debug build, so Swift's bounds and overflow checks are on too):
#     swift build --package-path Fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
# `--sanitize=fuzzer` makes SwiftPM link the executables without a `main` of their own (libFuzzer
# brings one); the combined `-sanitize=fuzzer,address` comes after it on every command line and
# wins. (`--sanitize=fuzzer --sanitize=address` passes two flags, of which swiftc keeps only the
# last, in an order that varies.) Each target then runs for FUZZ_SECONDS seconds (default 30),
# seeded with the valid fixtures (Tests/Fixtures/onnx/), the undamaged files of
# scripts/make-bad-inputs.sh --seeds and the bad-input corpus (Tests/Fixtures/bad-inputs/).
# Inputs that find new coverage accumulate in .build-fuzz/<target>/corpus/ across runs.
#
# Any crash, sanitizer report, timeout (one input running over FUZZ_TIMEOUT seconds, default 10)
# or out-of-memory fails the run; libFuzzer writes the input to .build-fuzz/<target>/crash-… (or
# timeout-…, oom-…). Reproduce with `Fuzz/.build/debug/<target> <that file>`; once fixed, add
# the file to the bad-input corpus through scripts/make-bad-inputs.sh.
#
# Usage: scripts/fuzz.sh [target…]     targets: FuzzONNX FuzzSafeTensors FuzzNPY FuzzSkeleton
set -euo pipefail

cd "$(dirname "$0")/.."
root="$PWD"
seconds="${FUZZ_SECONDS:-30}"
timeout="${FUZZ_TIMEOUT:-10}"
work="$root/.build-fuzz"
bad_inputs="$root/Tests/Fixtures/bad-inputs"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(FuzzONNX FuzzSafeTensors FuzzNPY FuzzSkeleton)

build=(swift build --package-path Fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
echo "== building the fuzz targets (log: .build-fuzz/build.log)"
mkdir -p "$work"
# The linker warns about every ASan helper symbol ("Cannot export local symbol"): noise, kept in the log.
if ! "${build[@]}" > "$work/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$work/build.log" >&2
    echo "error: building the fuzz targets failed (log: .build-fuzz/build.log)" >&2
    exit 1
fi
bin="$("${build[@]}" --show-bin-path)"
for target in "${targets[@]}"; do
    [[ -x "$bin/$target" ]] || { echo "error: $bin/$target was not built" >&2; exit 1; }
done

rm -rf "$work/seeds"
scripts/make-bad-inputs.sh --seeds "$work/seeds"

# The seed folders of each target: valid files and the bad inputs of its parser.
seed_folders() {
    local target=$1 folder="$work/$1/seeds"
    rm -rf "$folder"
    mkdir -p "$folder"
    case $target in
        FuzzONNX)
            cp "$root"/Tests/Fixtures/onnx/*.onnx "$work"/seeds/onnx/* "$bad_inputs"/onnx-* "$folder"/ ;;
        FuzzSafeTensors)
            cp "$work"/seeds/safetensors/* "$bad_inputs"/safetensors-* "$folder"/ ;;
        FuzzNPY)
            cp "$root"/Tests/Fixtures/onnx/*.npy "$work"/seeds/npy/* "$bad_inputs"/npy-* "$bad_inputs"/npz-* \
               "$bad_inputs"/skeleton-array-* "$folder"/ ;;
        FuzzSkeleton)
            cp "$work"/seeds/skeleton/* "$work"/seeds/npy/skeleton-*.npy "$bad_inputs"/ntu-* \
               "$bad_inputs"/skeleton-array-* "$folder"/ ;;
        *) echo "error: unknown fuzz target $target" >&2; exit 1 ;;
    esac
    echo "$folder"
}

failed=()
summary=()
for target in "${targets[@]}"; do
    seeds="$(seed_folders "$target")"
    mkdir -p "$work/$target/corpus" "$work/$target/tmp"
    log="$work/$target/fuzz.log"
    echo "== $target: $seconds s (log: ${log#"$root"/})"
    status=0
    # TMPDIR: FuzzNPY writes its scratch .npz there.
    TMPDIR="$work/$target/tmp" "$bin/$target" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$target/" "$work/$target/corpus" "$seeds" > "$log" 2>&1 \
        || status=$?
    rm -rf "$work/$target/tmp"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
        reason=$(grep -m1 -E 'ERROR: |Fatal error|deadly signal' "$log" || echo 'see the log')
        summary+=("$target: FAILED (exit $status) after ${runs:-?} runs; $reason")
        grep -E "^(artifact_prefix|Test unit written)" "$log" || true
    else
        summary+=("$target: ${runs:-?} runs, ${speed:-?} exec/s, ${coverage:-cov: ?}, no crash")
    fi
done

echo "== fuzz summary (${seconds} s per target)"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in .build-fuzz/<target>/)" >&2
    exit 1
fi
