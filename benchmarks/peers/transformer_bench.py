#!/usr/bin/env python3
"""PyTorch's forward and pytorch-grad-cam's Grad-CAM on a torchvision transformer, for
benchmarks/transformers.sh. The model is built as benchmarks/export-zoo.py builds it (seed 0,
all-zero parameters redrawn) and run on the NAME_input.npy that script saved, so both tools see
the same weights and input.

    transformer_bench.py NAME ZOO_DIR --runs 3 --threads 2

Grad-CAM's layer is the one stexplain picks by default, with the reshape pytorch-grad-cam needs
for tokens: vit_b_16 the last block's input, mvit_v2_s the last block's first norm (a block's
output is a tuple pytorch-grad-cam cannot hook) — class token dropped, tokens laid out on the
grid — and swin3d_t the final norm's channels-last output permuted to N × C × T × H × W.
Prints one JSON object: {"model", "threads", "seconds": {"forward", "gradcam"}}; peak memory is
the caller's to read.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "peers"))
import peers_imports  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402
from peer_bench import median_seconds  # noqa: E402


def target_layer_and_reshape(name, model):
    if name == "vit_b_16":
        def tokens(x):  # (N, 197, D) → (N, D, 14, 14)
            return x[:, 1:].reshape(x.shape[0], 14, 14, x.shape[2]).permute(0, 3, 1, 2)
        return model.encoder.layers[-2], tokens
    if name == "mvit_v2_s":
        def tokens(x):  # (N, 1 + 8·7·7, D) → (N, D, 8, 7, 7)
            return x[:, 1:].reshape(x.shape[0], 8, 7, 7, x.shape[2]).permute(0, 4, 1, 2, 3)
        # A block returns (tokens, grid), which pytorch-grad-cam cannot hook: the last block's
        # first norm reads the same tokens (stexplain's default is its input).
        return model.blocks[-1].norm1, tokens
    if name == "swin3d_t":
        return model.norm, lambda x: x.permute(0, 4, 1, 2, 3)
    raise SystemExit(f"transformer_bench.py: no Grad-CAM layer for {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("zoo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import importlib.util
    spec = importlib.util.spec_from_file_location("export_zoo", os.path.join(HERE, "..", "export-zoo.py"))
    zoo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zoo)
    torch.manual_seed(0)
    model, _ = zoo.build(args.name)
    zoo.redraw_zero_parameters(model)
    x = torch.from_numpy(np.load(os.path.join(args.zoo, f"{args.name}_input.npy")))

    def forward():
        with torch.no_grad():
            model(x)
    seconds = {"forward": median_seconds(args.runs, forward)}

    import pytorch_grad_cam as pgc
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    with torch.no_grad():
        target = int(model(x)[0].argmax())
    layer, reshape = target_layer_and_reshape(args.name, model)
    with pgc.GradCAM(model=model, target_layers=[layer], reshape_transform=reshape) as cam:
        seconds["gradcam"] = median_seconds(args.runs, lambda: cam(input_tensor=x, targets=[ClassifierOutputTarget(target)]))
    print(json.dumps({"model": args.name, "threads": args.threads, "seconds": seconds}))


if __name__ == "__main__":
    main()
