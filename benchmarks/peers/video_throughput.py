#!/usr/bin/env python3
"""A PyTorch peer explaining a folder of videos the way a user's script would, for
benchmarks/video-throughput.sh: each manifest line's video decoded with PyAV (the first 16
frames), torchvision's Kinetics preprocessing (bilinear resize to 128×171, centre crop 112, mean
and std), r3d_18 (random weights, seed 1) Grad-CAM at layer4 for the top class, map.npy written
per clip. Decoding runs in line with the explanation, as in the peers' tutorials.

    video_throughput.py {pytorch-grad-cam,captum} MANIFEST OUT_DIR --threads 2

Prints one JSON object: {"tool", "threads", "clips", "seconds" (the loop), "clips_per_s"}.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "peers"))
import peers_imports  # noqa: E402,F401
import av  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torchvision.models.video import r3d_18  # noqa: E402

MEAN = torch.tensor([0.43216, 0.394666, 0.37645]).view(3, 1, 1, 1)
STD = torch.tensor([0.22803, 0.22145, 0.216989]).view(3, 1, 1, 1)


def clip(path, frames=16):
    """(1, 3, frames, 112, 112): the first frames of the video, Kinetics-preprocessed."""
    with av.open(path) as container:
        decoded = []
        for frame in container.decode(video=0):
            decoded.append(frame.to_ndarray(format="rgb24"))
            if len(decoded) == frames:
                break
    while len(decoded) < frames:
        decoded.append(decoded[-1])
    x = torch.from_numpy(np.stack(decoded)).permute(3, 0, 1, 2).float() / 255  # C T H W
    x = F.interpolate(x.permute(1, 0, 2, 3), size=(128, 171), mode="bilinear", align_corners=False).permute(1, 0, 2, 3)
    top, left = (128 - 112) // 2, (171 - 112) // 2
    x = x[:, :, top:top + 112, left:left + 112]
    return ((x - MEAN) / STD).unsqueeze(0).contiguous()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("peer", choices=["captum", "pytorch-grad-cam"])
    parser.add_argument("manifest")
    parser.add_argument("out")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = r3d_18(num_classes=400).eval()
    folder = os.path.dirname(os.path.abspath(args.manifest))
    with open(args.manifest) as manifest:
        paths = [os.path.join(folder, line.split(",")[0]) for line in manifest.read().splitlines()[1:] if line]
    if args.peer == "captum":
        from captum.attr import LayerGradCam
        cam = LayerGradCam(model, model.layer4)

        def explain(x):
            with torch.no_grad():
                target = int(model(x)[0].argmax())
            return cam.attribute(x, target=target, relu_attributions=True)[:, 0].detach().numpy()
    else:
        from pytorch_grad_cam import GradCAM
        gradcam = GradCAM(model=model, target_layers=[model.layer4])

        def explain(x):
            return gradcam(input_tensor=x, targets=None)  # None: the top class
    os.makedirs(args.out, exist_ok=True)
    start = time.perf_counter()
    for number, path in enumerate(paths):
        np.save(os.path.join(args.out, f"{number:05d}.npy"), explain(clip(path)))
    seconds = time.perf_counter() - start
    print(json.dumps({"tool": args.peer, "threads": args.threads, "clips": len(paths), "seconds": seconds,
                      "clips_per_s": len(paths) / seconds}))


if __name__ == "__main__":
    main()
