#!/usr/bin/env bash
# Dataset throughput on videos (issue 20 §3): VIDEOS videos made by ffmpeg (testsrc2 / mandelbrot,
# 320×240, 5 s, H.264, each with its own hue) explained with r3d_18 (random weights) Grad-CAM at
# layer4, 16 frames each, Kinetics preprocessing, one map per clip, THREADS threads:
#   - stexplain explain --manifest over the videos (ffmpeg decodes the next ones while one is
#     explained) and over the same clips pre-decoded to .npy: the ratio shows what decoding costs;
#   - pytorch-grad-cam and Captum scripts (benchmarks/peers/video_throughput.py) that loop over
#     the same files, decoding with PyAV in line.
# Clips/s over each whole process (start-up, model, every clip) and peak RSS; the two stexplain
# runs alternate ROUNDS times (median), the peers run once. Prints a markdown table. Never a test
# gate; benchmarks/peers.sh runs it.
#
#   benchmarks/video-throughput.sh   # VIDEOS=64 ROUNDS=3 THREADS=2 OUT=bench-out/video-throughput
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VIDEOS="${VIDEOS:-64}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-2}"
OUT="${OUT:-$ROOT/bench-out/video-throughput}"
PYTHON="${PEERS_PYTHON:-$ROOT/.venv-peers/bin/python}"
[[ -x "$PYTHON" ]] || { echo "video-throughput.sh: no $PYTHON; run scripts/peers/setup.sh first" >&2; exit 2; }
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" STEXPLAIN_THREADS="$THREADS"
swift build -c release --product stexplain >&2
STEXPLAIN="$(swift build -c release --show-bin-path)/stexplain"
mkdir -p "$OUT/videos" "$OUT/clips"

echo "video-throughput.sh: $VIDEOS videos and their pre-decoded clips in $OUT" >&2
echo "path,label" > "$OUT/videos.csv"
echo "path,label" > "$OUT/clips.csv"
for ((i = 0; i < VIDEOS; i++)); do
  name=$(printf 'v%03d' "$i")
  source="testsrc2=size=320x240:rate=25"; ((i % 2)) && source="mandelbrot=size=320x240:rate=25"
  [[ -f "$OUT/videos/$name.mp4" ]] || ffmpeg -loglevel error -y -f lavfi -i "$source" -t 5 \
    -vf "hue=h=$((i * 360 / VIDEOS))" -c:v libx264 -pix_fmt yuv420p "$OUT/videos/$name.mp4"
  echo "videos/$name.mp4,0" >> "$OUT/videos.csv"
  echo "clips/$name.npy,0" >> "$OUT/clips.csv"
done
"$PYTHON" - "$OUT" <<'PY'
import os, sys
import numpy as np
sys.path.insert(0, "benchmarks/peers")
from video_throughput import clip
out = sys.argv[1]
for line in open(f"{out}/clips.csv").read().splitlines()[1:]:
    path = os.path.join(out, line.split(",")[0])
    if not os.path.exists(path):
        np.save(path, clip(path.replace("clips/", "videos/").replace(".npy", ".mp4")).numpy())
PY

# timed NAME CMD…: wall seconds and peak RSS of CMD appended to $OUT/NAME.time
timed() {
  local name="$1"; shift
  rm -rf "$OUT/out-$name"
  /usr/bin/time -a -f '%e %M' -o "$OUT/$name.time" "$@" > /dev/null
}
rm -f "$OUT"/*.time
ours=("$STEXPLAIN" explain --model r3d_18 --random-weights --method gradcam --frames 16 --no-pictures --quiet)
for ((round = 1; round <= ROUNDS; round++)); do
  echo "video-throughput.sh: stexplain on videos, then on .npy clips (round $round of $ROUNDS)" >&2
  timed stexplain-videos "${ours[@]}" --manifest "$OUT/videos.csv" --out "$OUT/out-stexplain-videos"
  timed stexplain-npy "${ours[@]}" --manifest "$OUT/clips.csv" --out "$OUT/out-stexplain-npy"
done
for peer in pytorch-grad-cam captum; do
  echo "video-throughput.sh: $peer on videos" >&2
  timed "$peer" "$PYTHON" benchmarks/peers/video_throughput.py "$peer" "$OUT/videos.csv" "$OUT/out-$peer" --threads "$THREADS"
done

cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
echo "$VIDEOS videos, r3d_18 Grad-CAM, 16 frames at 112², $THREADS threads, $cpu"
echo
echo "| run | clips/s | seconds | × stexplain on videos | peak RSS (MB) |"
echo "|---|---|---|---|---|"
"$PYTHON" - "$OUT" "$VIDEOS" <<'PY'
import sys
out, clips = sys.argv[1], int(sys.argv[2])
rows = [("stexplain, videos (decode overlapped)", "stexplain-videos"), ("stexplain, pre-decoded .npy", "stexplain-npy"),
        ("pytorch-grad-cam + PyAV", "pytorch-grad-cam"), ("Captum + PyAV", "captum")]
def median_run(name):
    runs = sorted(tuple(map(float, line.split())) for line in open(f"{out}/{name}.time") if line.strip())
    return runs[len(runs) // 2]
times = {name: median_run(name) for _, name in rows}
ours = times["stexplain-videos"][0]
for title, name in rows:
    seconds, rss = times[name]
    print(f"| {title} | {clips / seconds:.2f} | {seconds:.1f} | {seconds / ours:.2f} | {rss / 1024:.0f} |")
PY
