#!/usr/bin/env bash
# Imports every ONNX model that benchmarks/export-zoo.py wrote into DIR and checks it against
# PyTorch: the logits of NAME_input.npy (stexplain predict --expected NAME_logits.npy, max
# |difference| / max |logit| ≤ 1e-4) and a Grad-CAM at the default layer (its map must have more
# than one cell). Prints a markdown table: model file, import result, relative error, default
# layer, map shape, forward seconds. Never a test gate (the models are hundreds of MB).
#
#   .venv-peers/bin/python benchmarks/export-zoo.py /tmp/zoo              # opset 17, TorchScript
#   .venv-peers/bin/python benchmarks/export-zoo.py /tmp/zoo --opset 14 vit_b_16
#   benchmarks/zoo-parity.sh /tmp/zoo                                     # THREADS=2 by default
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: benchmarks/zoo-parity.sh DIR}"
export STEXPLAIN_THREADS="${THREADS:-2}"
swift build -c release --product stexplain --package-path "$ROOT" >&2 || exit 2
STEXPLAIN="$(swift build -c release --show-bin-path --package-path "$ROOT")/stexplain"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

echo "| model | import | max rel. error | default layer | Grad-CAM map | forward (s) |"
echo "|---|---|---|---|---|---|"
for model in "$DIR"/*.onnx; do
  file="$(basename "$model" .onnx)"
  base="${file%%_opset*}"
  predicted="$("$STEXPLAIN" predict --model "$model" --input "$DIR/${base}_input.npy" \
    --expected "$DIR/${base}_logits.npy" 2>&1)"
  status=$?
  if [[ $status -eq 2 ]]; then
    echo "| $file | fails: $(tail -1 <<<"$predicted" | cut -c1-160) | | | | |"
    continue
  fi
  error="$(sed -n 's/^max |difference| \/ max |reference| = \([^ ]*\).*/\1/p' <<<"$predicted")"
  seconds="$(sed -n 's/^forward: \([0-9.]*\) s.*/\1/p' <<<"$predicted")"
  rm -rf "$SCRATCH/out"
  if "$STEXPLAIN" explain --model "$model" --input "$DIR/${base}_input.npy" --method gradcam --out "$SCRATCH/out" \
      --json --quiet > "$SCRATCH/summary.json" 2> "$SCRATCH/explain.err"; then
    read -r layer shape < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["layer"], "×".join(map(str, s["map_shape"])))' "$SCRATCH/summary.json")
  else
    layer="fails: $(tail -1 "$SCRATCH/explain.err" | cut -c1-120)"; shape=""
  fi
  echo "| $file | $([[ $status -eq 0 ]] && echo ok || echo "logits differ") | $error | $layer | $shape | $seconds |"
done
