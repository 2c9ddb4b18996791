#!/usr/bin/env bash
# Speed side by side: stexplain and the PyTorch peers (torch forward, pytorch-grad-cam, Captum,
# zennit) on r3d_18 with random weights, input 1×3×16×112×112, CPU, the same thread count, each
# tool in its own process; medians of RUNS calls after a warm-up; peak memory (ru_maxrss) per
# process; plus an end-to-end row (process start, weight loading, one Grad-CAM, writing the map)
# the video-throughput rows (benchmarks/video-throughput.sh) and the peak memory of each method
# alone (benchmarks/memory-methods.sh).
# Prints a markdown table (and keeps the raw JSON lines in $OUT/results.jsonl). Never a test gate.
#
#   scripts/peers/setup.sh              # once: .venv-peers/
#   benchmarks/peers.sh                 # RUNS=3 THREADS=2 INPUT=1,3,16,112,112 by default
#   ZOO=/tmp/zoo benchmarks/peers.sh    # also the transformer rows (benchmarks/transformers.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
THREADS="${THREADS:-2}"
INPUT="${INPUT:-1,3,16,112,112}"
# LRP and the spatial/temporal split (zennit; `stexplain bench lrp`, which always times the split
# and its 17 sequential passes too) run on LRP_INPUT: zennit's batched split of 16 full-size freeze
# clips peaks near 14 GB (3.8 GB measured at 56 × 56), and the two LRP processes take ~40 min at
# 112 × 112 on 2 threads. Set LRP_INPUT=$INPUT on a machine with the memory and time.
LRP_INPUT="${LRP_INPUT:-1,3,16,56,56}"
OUT="${OUT:-$ROOT/bench-out/peers}"
PYTHON="${PEERS_PYTHON:-$ROOT/.venv-peers/bin/python}"
[[ -x "$PYTHON" ]] || { echo "peers.sh: no $PYTHON; run scripts/peers/setup.sh first" >&2; exit 2; }
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" STEXPLAIN_THREADS="$THREADS"

swift build -c release --product stexplain >&2
STEXPLAIN="$(swift build -c release --show-bin-path)/stexplain"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
echo "load before: $(uptime)" >&2

# run NAME CMD…: runs CMD under /usr/bin/time, stdout to $OUT/NAME.json, peak RSS (KB) to $OUT/NAME.rss
run() {
  local name="$1"; shift
  /usr/bin/time -f '%M' -o "$OUT/$name.rss" "$@" > "$OUT/$name.json"
}

for tool in torch pytorch-grad-cam captum zennit; do
  echo "peers.sh: $tool" >&2
  tool_input="$INPUT"; [[ "$tool" == zennit ]] && tool_input="$LRP_INPUT"
  run "$tool" "$PYTHON" benchmarks/peers/peer_bench.py "$tool" --runs "$RUNS" --threads "$THREADS" --input "$tool_input"
  "$PYTHON" - "$OUT/$tool.json" "$OUT/$tool.rss" >> "$RESULTS" <<'PY'
import json, sys
record = json.load(open(sys.argv[1]))
record["max_rss_kb"] = int(open(sys.argv[2]).read().split()[-1])
print(json.dumps(record))
PY
done

echo "peers.sh: stexplain bench explain / lrp" >&2
run stexplain-explain "$STEXPLAIN" bench explain --runs "$RUNS" --input "$INPUT" --json
run stexplain-lrp "$STEXPLAIN" bench lrp --runs "$RUNS" --input "$LRP_INPUT" --composite epsilon-alpha2-beta1 --json
"$PYTHON" - "$OUT" >> "$RESULTS" <<'PY'
import json, sys
out = sys.argv[1]
explain, lrp = json.load(open(f"{out}/stexplain-explain.json")), json.load(open(f"{out}/stexplain-lrp.json"))
rss = max(int(open(f"{out}/stexplain-{n}.rss").read().split()[-1]) for n in ["explain", "lrp"])
seconds = {"forward": explain["forward_s"], "lrp epsilon-alpha2-beta1": lrp["lrp_s"],
           "spatial/temporal split": lrp["split_batched_s"]}
for m in explain["measurements"]:
    seconds["occlusion" if m["method"].startswith("occlusion") else m["method"]] = m["seconds"]
print(json.dumps({"tool": "stexplain", "threads": explain["threads"], "cpu": explain["cpu"], "seconds": seconds,
                  "max_rss_kb": rss}))
PY

echo "peers.sh: end to end" >&2
"$PYTHON" benchmarks/peers/make_inputs.py "$OUT/e2e" "$INPUT"
# e2e NAME CMD…: one warm-up, then the median wall time of RUNS runs of CMD.
e2e() {
  local name="$1"; shift
  "$PYTHON" - "$name" "$RUNS" "$@" >> "$RESULTS" <<'PY'
import json, statistics, subprocess, sys, time
name, runs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
times = []
for run in range(runs + 1):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
print(json.dumps({"tool": name, "seconds": {"end to end (gradcam)": statistics.median(times[1:])}}))
PY
}
e2e stexplain "$STEXPLAIN" explain --model r3d_18 --weights "$OUT/e2e/r3d_18.safetensors" --input "$OUT/e2e/clip.npy" \
  --method gradcam --out "$OUT/e2e/stexplain"
e2e captum "$PYTHON" benchmarks/peers/e2e_gradcam.py captum "$OUT/e2e/r3d_18.safetensors" "$OUT/e2e/clip.npy" \
  "$OUT/e2e/captum" --threads "$THREADS"
e2e pytorch-grad-cam "$PYTHON" benchmarks/peers/e2e_gradcam.py pytorch-grad-cam "$OUT/e2e/r3d_18.safetensors" \
  "$OUT/e2e/clip.npy" "$OUT/e2e/pytorch-grad-cam" --threads "$THREADS"

echo "load after: $(uptime)" >&2
echo "input $INPUT; LRP rows and the split at $LRP_INPUT; $THREADS threads; medians of $RUNS runs"
"$PYTHON" benchmarks/peers/table.py "$RESULTS"

# Dataset throughput on videos: explain --manifest (decoding overlapped with compute) against the
# same clips pre-decoded and against pytorch-grad-cam and Captum scripts decoding with PyAV.
echo
THREADS="$THREADS" benchmarks/video-throughput.sh

# Peak memory of each method alone in its own process, against the peer that has it.
echo
THREADS="$THREADS" INPUT="$INPUT" LRP_INPUT="$LRP_INPUT" benchmarks/memory-methods.sh

# Transformers (issue: forward of mvit_v2_s, swin3d_t and vit_b_16 against torch's; Grad-CAM
# against pytorch-grad-cam): exported into ZOO (a scratch folder, several hundred MB) when set.
if [[ -n "${ZOO:-}" ]]; then
  echo
  RUNS="$RUNS" THREADS="$THREADS" ZOO="$ZOO" benchmarks/transformers.sh
fi
