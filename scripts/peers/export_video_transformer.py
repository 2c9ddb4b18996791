#!/usr/bin/env python3
"""Writes the video transformer's parity fixtures in Tests/Fixtures/peers/ (see README.md there).

For each attention layout (joint, divided): a tiny `video_transformer` (width 16 in 2 heads, two
blocks, tubelet 2×4×4 over 4×8×8 clips: a 2×2×2 token grid) with seeded random weights, its
state_dict as safetensors with the ModelSpec in the `stexplain.model` metadata, a batch of two
clips (so the divided layout's grouping by sample is exercised) and PyTorch's logits:

    video_transformer_LAYOUT.safetensors, video_transformer_LAYOUT_input.npy,
    video_transformer_LAYOUT_logits.npy

Run once when the fixtures should change (needs only torch, numpy and safetensors):

    .venv-peers/bin/python scripts/peers/export_video_transformer.py

Tests/STExplainTests/VideoTransformerParityTests.swift reads the files.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from video_transformer import PUBLISHED_WIDTH, VideoTransformer  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "peers")


def spec(attention):
    return {"architecture": "video_transformer", "classes": 5, "widthMultiplier": 16 / PUBLISHED_WIDTH,
            "inputShape": [1, 3, 4, 8, 8], "depth": 2, "heads": 2, "tubelet": [2, 4, 4], "attention": attention}


def randomize(model, generator):
    """Every parameter drawn afresh, large enough (std 0.3; layer-norm scales 1 ± 0.3) that
    softmaxes and layer norms are far from linear and the logits far from zero."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator) * 0.3
            is_norm_scale = "norm" in name and name.endswith(".weight")
            parameter.copy_(1 + noise if is_norm_scale else noise)


def export(attention, seed):
    description = spec(attention)
    model = VideoTransformer.from_spec(description).eval()
    generator = torch.Generator().manual_seed(seed)
    randomize(model, generator)
    x = torch.randn((2, *description["inputShape"][1:]), generator=generator)
    with torch.no_grad():
        logits = model(x)
    key = f"video_transformer_{attention}"
    state = {name: value.contiguous() for name, value in model.state_dict().items()}
    save_file(state, os.path.join(OUT, key + ".safetensors"), metadata={"stexplain.model": json.dumps(description)})
    np.save(os.path.join(OUT, key + "_input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, key + "_logits.npy"), logits.numpy().astype(np.float32))
    print(f"{key}: logits {logits.numpy().round(4).tolist()}")


def main():
    torch.set_num_threads(1)
    for seed, attention in enumerate(["joint", "divided"], start=1):
        export(attention, seed)


if __name__ == "__main__":
    main()
