#!/usr/bin/env bash
# Retrains the demo models under models/ from scratch, reproducibly (fixed seeds).
# Usage: scripts/train-demo-models.sh [NAME ...]   (default: all). Needs a release build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(swift build -c release --show-bin-path)/stexplain"

# name | arguments to `stexplain train`
recipes=(
  "r3d_small|--model r3d_18 --width 0.125 --data moving-shapes --train-count 4800 --epochs 16"
  "c3d_small|--model c3d --width 0.125 --data moving-shapes --train-count 7200 --epochs 14 --learning-rate 3e-4"
  "stgcn_small|--model st_gcn --width 0.25 --data skeleton-actions --train-count 2400 --epochs 16"
  "cam3d_small|--model small_cam_net_3d --width 0.5 --no-time-pooling --data moving-shapes --train-count 4800 --epochs 16"
  "cnn_lstm_attention_small|--model cnn_lstm_attention --backbone plain --width 0.5 --data moving-shapes --train-count 4800 --epochs 14"
  "posenet_small|--model posenet --width 0.25 --data visual-odometry --train-count 2400 --epochs 8"
  "arrow_r3d_small|--model r3d_18 --width 0.125 --data arrow-of-time --train-count 2400 --epochs 8"
  "video_transformer_small|--model video_transformer --width 0.0833 --depth 4 --heads 4 --tubelet 4,8,8 --attention joint --data moving-shapes --train-count 48000 --epochs 12 --schedule cosine --warmup-epochs 1"
)

selected=("$@")
for recipe in "${recipes[@]}"; do
  name="${recipe%%|*}"
  arguments="${recipe#*|}"
  if [[ ${#selected[@]} -gt 0 && ! " ${selected[*]} " =~ " ${name} " ]]; then continue; fi
  echo "== ${name}: stexplain train ${arguments}"
  # shellcheck disable=SC2086
  "$bin" train ${arguments} --seed 1 --out "models/${name}"
done
