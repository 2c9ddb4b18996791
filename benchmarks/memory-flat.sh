#!/usr/bin/env bash
# Peak memory against dataset size (issue 20 §4): peak RSS (ru_maxrss, /usr/bin/time) of
#   - stexplain evaluate on SMALL and LARGE MovingShapes test clips (models/cam3d_small, Grad-CAM
#     and saliency, pointing game, relevance mass and deletion), and
#   - stexplain explain --manifest over SMALL and LARGE per-clip .npy files (Grad-CAM, --no-pictures),
# each in its own process, THREADS threads. Flat means LARGE's peak within 10 % of SMALL's.
# Prints a markdown table. Never a test gate.
#
#   benchmarks/memory-flat.sh          # SMALL=100 LARGE=1000 THREADS=2 OUT=bench-out/memory-flat
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SMALL="${SMALL:-100}"
LARGE="${LARGE:-1000}"
THREADS="${THREADS:-2}"
OUT="${OUT:-$ROOT/bench-out/memory-flat}"
PYTHON="${PEERS_PYTHON:-$ROOT/.venv-peers/bin/python}"
[[ -x "$PYTHON" ]] || PYTHON=python3
export STEXPLAIN_THREADS="$THREADS"
swift build -c release --product stexplain >&2
STEXPLAIN="$(swift build -c release --show-bin-path)/stexplain"
mkdir -p "$OUT"

echo "memory-flat.sh: $LARGE clips as .npy files in $OUT/clips" >&2
[[ -f "$OUT/data/inputs.npy" ]] || "$STEXPLAIN" data --data moving-shapes --split test --count "$LARGE" --out "$OUT/data" > /dev/null
"$PYTHON" - "$OUT" "$SMALL" "$LARGE" <<'PY'
import os, sys
import numpy as np
out, small, large = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
inputs, labels = np.load(f"{out}/data/inputs.npy", mmap_mode="r"), np.load(f"{out}/data/labels.npy")
os.makedirs(f"{out}/clips", exist_ok=True)
for n in range(large):
    path = f"{out}/clips/{n:05d}.npy"
    if not os.path.exists(path):
        np.save(path, np.ascontiguousarray(inputs[n:n + 1]))
for count in (small, large):
    with open(f"{out}/clips-{count}.csv", "w") as manifest:
        manifest.write("path,label\n")
        for n in range(count):
            manifest.write(f"clips/{n:05d}.npy,{int(labels[n])}\n")
PY

# peak NAME CMD…: seconds and peak RSS (KB) of CMD into $OUT/NAME.time
peak() {
  local name="$1"; shift
  echo "memory-flat.sh: $name" >&2
  /usr/bin/time -f '%e %M' -o "$OUT/$name.time" "$@" > /dev/null
}
for count in "$SMALL" "$LARGE"; do
  rm -rf "$OUT/evaluate-$count" "$OUT/explain-$count"
  peak "evaluate-$count" "$STEXPLAIN" evaluate --model models/cam3d_small --data moving-shapes --count "$count" \
    --methods gradcam,saliency --metrics pointing-game,relevance-mass,deletion --quiet --out "$OUT/evaluate-$count"
  peak "explain-$count" "$STEXPLAIN" explain --model models/cam3d_small --manifest "$OUT/clips-$count.csv" \
    --method gradcam --target label --no-pictures --quiet --out "$OUT/explain-$count"
done

cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
echo "peak RSS against dataset size, $THREADS threads, $cpu"
echo
echo "| run | $SMALL samples: peak RSS (MB), seconds | $LARGE samples: peak RSS (MB), seconds | peak ratio |"
echo "|---|---|---|---|"
for run in evaluate explain; do
  read -r small_s small_kb < "$OUT/$run-$SMALL.time"
  read -r large_s large_kb < "$OUT/$run-$LARGE.time"
  awk -v run="$run" -v ss="$small_s" -v sk="$small_kb" -v ls="$large_s" -v lk="$large_kb" 'BEGIN {
    printf "| %s | %.0f, %.1f | %.0f, %.1f | %.3f |\n", run, sk / 1024, ss, lk / 1024, ls, lk / sk }'
done
