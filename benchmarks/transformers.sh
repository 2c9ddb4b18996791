#!/usr/bin/env bash
# Transformers side by side: stexplain and PyTorch (forward; Grad-CAM with pytorch-grad-cam; the
# attention methods against a forward and a forward + backward pass and against LXT) on
# full-size torchvision models with random weights, the same input and thread count, each tool in
# its own process; medians of RUNS calls after a warm-up; peak memory (ru_maxrss) per process.
# The models come from benchmarks/export-zoo.py (ZOO, a scratch folder; exported when missing).
# Prints a markdown table. Never a test gate. benchmarks/peers.sh runs it with ZOO set.
#
#   ZOO=/tmp/zoo benchmarks/transformers.sh          # RUNS=3 THREADS=2 MODELS="vit_b_16 swin3d_t mvit_v2_s"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
THREADS="${THREADS:-2}"
ZOO="${ZOO:?set ZOO to a scratch folder for the exported models}"
MODELS="${MODELS:-vit_b_16 swin3d_t mvit_v2_s}"
PYTHON="${PEERS_PYTHON:-$ROOT/.venv-peers/bin/python}"
[[ -x "$PYTHON" ]] || { echo "transformers.sh: no $PYTHON; run scripts/peers/setup.sh first" >&2; exit 2; }
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" STEXPLAIN_THREADS="$THREADS"
swift build -c release --product stexplain >&2
STEXPLAIN="$(swift build -c release --show-bin-path)/stexplain"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "| model | stexplain forward (s) | torch forward (s) | torch / stexplain | stexplain Grad-CAM (s, × forward) | pytorch-grad-cam (s) | peak RSS stexplain / pytorch-grad-cam (MB) |"
echo "|---|---|---|---|---|---|---|"
for model in $MODELS; do
  # mvit_v2_s: the TorchScript exporter needs more than 24 GB; the dynamo exporter does not.
  file="$ZOO/${model}_opset17.onnx"; exporter=()
  [[ "$model" == mvit_v2_s ]] && { file="$ZOO/${model}_opset17_dynamo.onnx"; exporter=(--dynamo); }
  [[ -f "$file" ]] || "$PYTHON" benchmarks/export-zoo.py "$ZOO" "${exporter[@]}" "$model" >&2
  "$STEXPLAIN" bench model --model "$file" --input "$ZOO/${model}_input.npy" --runs "$RUNS" --json > "$OUT/ours.json"
  # Peak memory of one Grad-CAM in a process of its own (bench model also times forward + backward).
  /usr/bin/time -f '%M' -o "$OUT/ours.rss" "$STEXPLAIN" explain --model "$file" --input "$ZOO/${model}_input.npy" \
    --method gradcam --out "$OUT/gradcam" --quiet --no-pictures > /dev/null
  /usr/bin/time -f '%M' -o "$OUT/torch.rss" "$PYTHON" benchmarks/peers/transformer_bench.py "$model" "$ZOO" \
    --runs "$RUNS" --threads "$THREADS" > "$OUT/torch.json"
  "$PYTHON" - "$OUT" "$model" <<'PY'
import json, sys
out, model = sys.argv[1], sys.argv[2]
ours, torch = json.load(open(f"{out}/ours.json")), json.load(open(f"{out}/torch.json"))
rss = {name: int(open(f"{out}/{name}.rss").read().split()[-1]) / 1024 for name in ["ours", "torch"]}
forward, torch_forward = ours["forward_s"], torch["seconds"]["forward"]
gradcam = next(m for m in ours["measurements"] if m["method"] == "gradcam")
print(f"| {model} | {forward:.3f} | {torch_forward:.3f} | {torch_forward / forward:.2f}× | "
      f"{gradcam['seconds']:.3f} ({gradcam['forward_ratio']:.2f}×) | {torch['seconds']['gradcam']:.3f} | "
      f"{rss['ours']:.0f} / {rss['torch']:.0f} |")
PY
done

# The methods that read attention (issue 19): attention rollout against a forward pass, AttnLRP
# and transformer attribution against a forward + backward pass, and LXT's LRP on the same model
# (vit_b_16: LXT's torchvision patch is CP-LRP; videomae: LXT's AttnLRP rules).
echo
echo "| model | forward (s) | forward + backward (s) | attention-rollout (s, × forward) | attnlrp (s, × f+b) | transformer-attribution (s, × f+b) | LXT (s, rules) | LXT / attnlrp |"
echo "|---|---|---|---|---|---|---|---|"
for model in ${EXPLAIN_MODELS:-vit_b_16 videomae}; do
  file="$ZOO/${model}_opset17.onnx"
  [[ -f "$file" ]] || "$PYTHON" benchmarks/export-zoo.py "$ZOO" "$model" >&2
  "$STEXPLAIN" bench model --model "$file" --input "$ZOO/${model}_input.npy" --runs "$RUNS" --json \
    --methods attention-rollout,attnlrp,transformer-attribution > "$OUT/methods.json"
  "$PYTHON" benchmarks/peers/lxt_bench.py "$model" "$ZOO" --runs "$RUNS" --threads "$THREADS" 2>/dev/null > "$OUT/lxt.json"
  "$PYTHON" - "$OUT" "$model" <<'PY'
import json, sys
out, model = sys.argv[1], sys.argv[2]
ours, lxt = json.load(open(f"{out}/methods.json")), json.load(open(f"{out}/lxt.json"))
m = {x["method"]: x for x in ours["measurements"]}
rollout, attnlrp, chefer = m["attention-rollout"], m["attnlrp"], m["transformer-attribution"]
print(f"| {model} | {ours['forward_s']:.3f} | {ours['forward_backward_s']:.3f} | "
      f"{rollout['seconds']:.3f} ({rollout['forward_ratio']:.2f}×) | {attnlrp['seconds']:.3f} ({attnlrp['forward_backward_ratio']:.2f}×) | "
      f"{chefer['seconds']:.3f} ({chefer['forward_backward_ratio']:.2f}×) | {lxt['seconds']['lxt']:.3f} ({lxt['rules']}) | "
      f"{lxt['seconds']['lxt'] / attnlrp['seconds']:.2f}× |")
PY
done
echo
echo "cpu: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $THREADS threads"
