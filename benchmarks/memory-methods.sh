#!/usr/bin/env bash
# Peak memory per method (issue 21): each method alone in its own process — stexplain explain
# --no-pictures from the safetensors weights and .npy clip of benchmarks/peers/make_inputs.py
# (r3d_18, random weights seed 1, clip seed 2), and each PyTorch peer's peer_bench.py --only on the
# same model and clip — peak RSS by /usr/bin/time (ru_maxrss). LRP and the spatial/temporal split
# at LRP_INPUT (as benchmarks/peers.sh). Prints a markdown table. Never a test gate.
#
#   benchmarks/memory-methods.sh        # THREADS=2 INPUT=1,3,16,112,112 LRP_INPUT=1,3,16,56,56
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${THREADS:-2}"
INPUT="${INPUT:-1,3,16,112,112}"
LRP_INPUT="${LRP_INPUT:-1,3,16,56,56}"
OUT="${OUT:-$ROOT/bench-out/memory-methods}"
PYTHON="${PEERS_PYTHON:-$ROOT/.venv-peers/bin/python}"
[[ -x "$PYTHON" ]] || { echo "memory-methods.sh: no $PYTHON; run scripts/peers/setup.sh first" >&2; exit 2; }
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" STEXPLAIN_THREADS="$THREADS"
swift build -c release --product stexplain >&2
STEXPLAIN="$(swift build -c release --show-bin-path)/stexplain"
mkdir -p "$OUT"
"$PYTHON" benchmarks/peers/make_inputs.py "$OUT/clip" "$INPUT"
"$PYTHON" benchmarks/peers/make_inputs.py "$OUT/lrp-clip" "$LRP_INPUT"
IFS=, read -r _ _ T H W <<< "$INPUT"
WINDOW="$((T / 4)),$((H / 4)),$((W / 4))"

# peak NAME CMD…: CMD's peak RSS in MB, its output discarded.
peak() {
  local name="$1"; shift
  /usr/bin/time -f '%M' -o "$OUT/$name.rss" "$@" > /dev/null 2> "$OUT/$name.log" \
    || { echo "memory-methods.sh: $name failed, see $OUT/$name.log" >&2; exit 1; }
  echo $(( $(tail -1 "$OUT/$name.rss") / 1024 ))
}
# ours METHOD CLIPDIR [ARGS…]: stexplain explain of METHOD alone.
ours() {
  local method="$1" clips="$2"; shift 2
  peak "stexplain-$method" "$STEXPLAIN" explain --model r3d_18 --weights "$clips/r3d_18.safetensors" \
    --input "$clips/clip.npy" --method "$method" --no-pictures --quiet --out "$OUT/explain-$method" "$@"
}
# theirs TOOL MEASUREMENT INPUT: peer_bench.py's MEASUREMENT alone, one timed run.
theirs() {
  peak "$1-$(tr " /" "__" <<< "$2")" "$PYTHON" benchmarks/peers/peer_bench.py "$1" --only "$2" --runs 1 --threads "$THREADS" --input "$3"
}
rm -rf "$OUT"/explain-*

echo "| method | stexplain MB | peer | peer MB |"
echo "|---|---|---|---|"
echo "| forward | $(peak stexplain-forward "$STEXPLAIN" predict --model r3d_18 --weights "$OUT/clip/r3d_18.safetensors" --input "$OUT/clip/clip.npy") | torch | $(theirs torch forward "$INPUT") |"
ours_gradcam="$(ours gradcam "$OUT/clip")"
echo "| gradcam | $ours_gradcam | pytorch-grad-cam | $(theirs pytorch-grad-cam gradcam "$INPUT") |"
echo "| gradcam | $ours_gradcam | captum | $(theirs captum gradcam "$INPUT") |"
echo "| gradcam++ | $(ours gradcam++ "$OUT/clip") | pytorch-grad-cam | $(theirs pytorch-grad-cam gradcam++ "$INPUT") |"
echo "| saliency | $(ours saliency "$OUT/clip") | captum | $(theirs captum saliency "$INPUT") |"
echo "| guided-backprop | $(ours guided-backprop "$OUT/clip") | captum | $(theirs captum guided-backprop "$INPUT") |"
echo "| occlusion ($WINDOW cubes, 8 per pass) | $(ours occlusion "$OUT/clip" --window "$WINDOW" --batch-size 8) | captum | $(theirs captum occlusion "$INPUT") |"
echo "| lrp epsilon-alpha2-beta1 ($LRP_INPUT) | $(ours lrp "$OUT/lrp-clip" --composite epsilon-alpha2-beta1) | zennit | $(theirs zennit "lrp epsilon-alpha2-beta1" "$LRP_INPUT") |"
echo "| spatial/temporal split ($LRP_INPUT) | $(ours lrp-st "$OUT/lrp-clip" --composite epsilon-alpha2-beta1) | zennit | $(theirs zennit "spatial/temporal split" "$LRP_INPUT") |"
