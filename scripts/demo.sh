#!/usr/bin/env bash
# Explains the demo models (models/) on held-out synthetic samples and writes everything under
# demo-out/: one directory per model and method with map.npy, attribution.npy, summary.json and
# the pictures (overlay.png, frames/, overlay.mp4/.gif, figure.png for lrp-st, joint_time.png), and
# the evaluations under demo-out/evaluate/ (seed 000's masking table on ST-GCN, a methods ×
# metrics table on MovingShapes).
# Needs a release build. The HTML report comes with the report issue; until then the summary
# printed at the end says what each run found.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(swift build -c release --show-bin-path)/stexplain"
out=demo-out
work="$out.tmp"
rm -rf "$work"
mkdir -p "$work"

"$bin" data --data moving-shapes --split test --count 8 --seed 1 --out "$work/clips"
"$bin" data --data skeleton-actions --split test --count 18 --seed 1 --out "$work/skeletons"
"$bin" data --data visual-odometry --split test --count 4 --seed 1 --out "$work/odometry"

explain() {  # name model input method [options...]
  local name="$1" model="$2" input="$3" method="$4"
  shift 4
  "$bin" explain --model "models/$model" --input "$work/$input/inputs.npy" --method "$method" \
    --out "$work/$name" "$@"
  printf '%-36s %s\n' "$name" "$(grep -o '"seconds" : [0-9.]*' "$work/$name/summary.json" | sed 's/.*: //') s"
}

echo "explanations (directory under $out/, seconds):"
for method in gradcam gradcam++ xgradcam layercam hirescam saliency guided-backprop guided-gradcam; do
  explain "r3d_small/$method" r3d_small clips "$method" --layer layer2 --target "labels:$work/clips/labels.npy"
done
explain "r3d_small/integrated-gradients" r3d_small clips integrated-gradients --steps 16
explain "r3d_small/occlusion" r3d_small clips occlusion --window 4,8,8
explain "r3d_small/lrp" r3d_small clips lrp --target "labels:$work/clips/labels.npy"
explain "r3d_small/lrp-st" r3d_small clips lrp-st --target "labels:$work/clips/labels.npy"
explain "c3d_small/gradcam" c3d_small clips gradcam --layer conv3b.relu
explain "cnn_lstm_attention_small/gradcam" cnn_lstm_attention_small clips gradcam
explain "cnn_lstm_attention_small/attention-frame-0" cnn_lstm_attention_small clips gradcam --target attention:0
explain "stgcn_small/gradcam" stgcn_small skeletons gradcam
explain "stgcn_small/occlusion-joints" stgcn_small skeletons occlusion
explain "posenet_small/gradcam-translation" posenet_small odometry gradcam --target translation
explain "posenet_small/gradcam-rotation" posenet_small odometry gradcam --target rotation

echo
echo "seed 000's masking table on stgcn_small (270 test skeletons, per-class joint importance):"
"$bin" evaluate --model models/stgcn_small --data skeleton-actions --count 270 --methods gradcam \
  --metrics masking --importance class --out "$work/evaluate/stgcn_small" | sed -n '/^## Masking/,/^## Methods/p' | grep -v '^## Methods'
echo
echo "methods × metrics on MovingShapes (r3d_small, 32 test clips, Grad-CAM family at layer2):"
"$bin" evaluate --model models/r3d_small --data moving-shapes --count 32 --layer layer2 \
  --methods gradcam,gradcam++,layercam,guided-backprop,lrp \
  --metrics masking,deletion,insertion,pointing-game,relevance-mass,relevance-rank \
  --out "$work/evaluate/r3d_small" | sed -n '/Methods × metrics/,$p'

rm -rf "$out"
mv "$work" "$out"
echo "wrote $out/ (inputs under clips/, skeletons/, odometry/; per run map.npy, attribution.npy, summary.json and pictures; evaluations under evaluate/)"
