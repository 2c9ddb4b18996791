#!/usr/bin/env python3
"""One PyTorch peer's timings on r3d_18 (random weights), for benchmarks/peers.sh.

    peer_bench.py TOOL --runs 3 --threads 2 --input 1,3,16,112,112

TOOL is one of torch (forward), pytorch-grad-cam, captum, zennit. Each measurement: one warm-up
call, then the median wall time of --runs calls; the input and weights are fixed by seeds. Prints
one JSON object: {"tool", "threads", "input_shape", "seconds": {measurement: s}}. Peak memory is
read by the caller (the process's ru_maxrss); `--only MEASUREMENT` runs that one alone, for a
per-method peak (benchmarks/memory-methods.sh).
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "peers"))
import peers_imports  # noqa: E402,F401  (torchvision's Python parts beside a CPU-only torch)
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torchvision.models.video import r3d_18  # noqa: E402
from torchvision.models.video.resnet import BasicBlock  # noqa: E402

OCCLUSION_BATCH = 8


def median_seconds(runs, body):
    body()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def model_and_input(shape):
    torch.manual_seed(1)
    model = r3d_18(num_classes=400).eval()
    for module in model.modules():
        if isinstance(module, nn.ReLU):
            module.inplace = False  # Captum's and zennit's backward hooks need out-of-place ReLUs
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(2))
    return model, x


def top_class(model, x):
    with torch.no_grad():
        return int(model(x)[0].argmax())


def bench_torch(model, x, runs, only=None):
    def forward():
        with torch.no_grad():
            model(x)
    return {"forward": median_seconds(runs, forward)} if only in (None, "forward") else {}


def bench_grad_cam(model, x, runs, only=None):
    import pytorch_grad_cam as pgc
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    target = top_class(model, x)
    seconds = {}
    for name, cls in [("gradcam", pgc.GradCAM), ("gradcam++", pgc.GradCAMPlusPlus)]:
        if only not in (None, name):
            continue
        with cls(model=model, target_layers=[model.layer4]) as cam:
            seconds[name] = median_seconds(runs, lambda: cam(input_tensor=x, targets=[ClassifierOutputTarget(target)]))
    # GuidedBackpropReLUModel (1.5.7) ends with output.transpose((1, 2, 0)), an image's CHW → HWC:
    # "axes don't match array" on a 5-D clip, so pytorch-grad-cam has no video guided backprop.
    return seconds


def bench_captum(model, x, runs, only=None):
    import captum.attr as captum
    target = top_class(model, x)
    _, c, t, h, w = x.shape
    gradcam = captum.LayerGradCam(model, model.layer4)
    guided = captum.GuidedBackprop(model)
    saliency = captum.Saliency(model)
    occlusion = captum.Occlusion(model)
    window = (c, t // 4, h // 4, w // 4)  # 4 × 4 × 4 = 64 cubes, as `stexplain bench explain`
    calls = {
        "gradcam": lambda: gradcam.attribute(x, target=target, relu_attributions=True),
        "guided-backprop": lambda: guided.attribute(x, target=target),
        "saliency": lambda: saliency.attribute(x, target=target),
        "occlusion": lambda: occlusion.attribute(x, sliding_window_shapes=window, strides=window, baselines=0,
                                                 target=target, perturbations_per_eval=OCCLUSION_BATCH),
    }
    return {name: median_seconds(runs, call) for name, call in calls.items() if only in (None, name)}


def bench_zennit(model, x, runs, only=None):
    from zennit.attribution import Gradient
    from zennit.canonizers import SequentialMergeBatchNorm
    from zennit.composites import EpsilonAlpha2Beta1
    from video_canonizer import VideoBasicBlockCanonizer

    target = top_class(model, x)
    frames = x.shape[2]
    # Seed 002's split: the clip and its T freeze clips [f_t] × T, the latter as one batch.
    freeze = torch.cat([x[:, :, t:t + 1].expand(-1, -1, frames, -1, -1) for t in range(frames)])

    def relevance(attributor, clips):
        one_hot = torch.zeros(clips.shape[0], 400)
        one_hot[:, target] = 1
        return attributor(clips.clone().requires_grad_(True), lambda y: y * one_hot)[1]

    composite = EpsilonAlpha2Beta1(canonizers=[SequentialMergeBatchNorm(), VideoBasicBlockCanonizer(BasicBlock)])
    seconds = {}
    with Gradient(model=model, composite=composite) as attributor:
        if only in (None, "lrp epsilon-alpha2-beta1"):
            seconds["lrp epsilon-alpha2-beta1"] = median_seconds(runs, lambda: relevance(attributor, x))
        if only in (None, "spatial/temporal split"):
            seconds["spatial/temporal split"] = median_seconds(
                max(1, runs // 2), lambda: (relevance(attributor, x), relevance(attributor, freeze)))
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tool", choices=["torch", "pytorch-grad-cam", "captum", "zennit"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--input", default="1,3,16,112,112")
    parser.add_argument("--only", help="one measurement alone (e.g. gradcam)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    shape = [int(v) for v in args.input.split(",")]
    model, x = model_and_input(shape)
    bench = {"torch": bench_torch, "pytorch-grad-cam": bench_grad_cam, "captum": bench_captum,
             "zennit": bench_zennit}[args.tool]
    seconds = bench(model, x, args.runs, args.only)
    print(json.dumps({"tool": args.tool, "threads": torch.get_num_threads(), "input_shape": shape, "seconds": seconds}))


if __name__ == "__main__":
    main()
