#!/usr/bin/env python3
"""Exports today's video and image architectures at full size to ONNX, with PyTorch's logits.

Random weights (torch.manual_seed(0)), eval mode, batch 1, as a new user would export them:
torchvision's video models (16 frames; 112² for the ResNets, 224² for the others), its image
models (224²) and Hugging Face VideoMAE / TimeSformer built from their default configs (random
weights, nothing downloaded). For each model NAME the scratch folder gets

    NAME.onnx          torch.onnx.export(..., opset_version=OPSET, dynamo=False)
    NAME_input.npy     the input the logits were computed on (standard normal, seed 0)
    NAME_logits.npy    PyTorch's output for it

These files are large (up to 350 MB each) and are not committed: `benchmarks/zoo-parity.sh`
imports each with `stexplain` and compares the logits.

    .venv-peers/bin/python benchmarks/export-zoo.py OUT_DIR [--opset 17] [--dynamo] [NAME ...]
"""
import argparse
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "peers"))
import peers_imports  # noqa: E402,F401  (torchvision beside a CPU-only torch)

warnings.filterwarnings("ignore")

VIDEO_RESNETS = ["r3d_18", "mc3_18", "r2plus1d_18"]
VIDEO_OTHERS = ["s3d", "mvit_v1_b", "mvit_v2_s", "swin3d_t", "swin3d_s", "swin3d_b"]
IMAGES = ["resnet50", "vit_b_16", "swin_t", "convnext_tiny", "efficientnet_b0", "mobilenet_v3_small",
          "regnet_y_400mf"]
HUGGING_FACE = ["videomae", "timesformer"]
ALL = VIDEO_RESNETS + VIDEO_OTHERS + IMAGES + HUGGING_FACE


class LogitsOnly(torch.nn.Module):
    """A Hugging Face classifier whose forward takes pixel_values and returns the logits alone."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model(pixel_values=pixel_values).logits


def build(name):
    """The model in eval mode and an input of the shape it expects."""
    if name in HUGGING_FACE:
        import transformers
        if name == "videomae":
            config = transformers.VideoMAEConfig(num_labels=400)
            model = transformers.VideoMAEForVideoClassification(config)
            shape = (1, config.num_frames, 3, config.image_size, config.image_size)
        else:
            config = transformers.TimesformerConfig(num_labels=400)
            model = transformers.TimesformerForVideoClassification(config)
            shape = (1, config.num_frames, 3, config.image_size, config.image_size)
        return LogitsOnly(model).eval(), shape
    import torchvision.models as image_models
    import torchvision.models.video as video_models
    if name in VIDEO_RESNETS:
        return getattr(video_models, name)().eval(), (1, 3, 16, 112, 112)
    if name in VIDEO_OTHERS:
        return getattr(video_models, name)().eval(), (1, 3, 16, 224, 224)
    return getattr(image_models, name)().eval(), (1, 3, 224, 224)


def redraw_zero_parameters(model):
    """Parameters that start all zero (torchvision ViT's head) would make every logit 0 and the
    comparison vacuous: they are drawn from N(0, 0.02²) instead, after the seeded init."""
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() > 1 and not parameter.any():
                parameter.normal_(0, 0.02)


def export(name, out, opset, dynamo):
    torch.manual_seed(0)
    model, shape = build(name)
    redraw_zero_parameters(model)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(shape, generator=generator)
    with torch.no_grad():
        logits = model(x)
    suffix = f"_opset{opset}" + ("_dynamo" if dynamo else "")
    path = os.path.join(out, f"{name}{suffix}.onnx")
    kwargs = dict(opset_version=opset, input_names=["input"], output_names=["logits"])
    if dynamo:
        torch.onnx.export(model, (x,), path, dynamo=True, external_data=False, **kwargs)
    else:
        torch.onnx.export(model, (x,), path, dynamo=False, **kwargs)
    np.save(os.path.join(out, f"{name}_input.npy"), x.numpy())
    np.save(os.path.join(out, f"{name}_logits.npy"), logits.numpy())
    print(f"{name}: {os.path.getsize(path) / 1e6:.1f} MB, input {list(shape)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("names", nargs="*", default=ALL)
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--dynamo", action="store_true", help="torch's default (torch.export) exporter")
    args = parser.parse_intermixed_args()
    os.makedirs(args.out, exist_ok=True)
    failed = []
    for name in args.names:
        try:
            export(name, args.out, args.opset, args.dynamo)
        except Exception as error:  # one failing export must not stop the others
            print(f"{name}: export failed: {type(error).__name__}: {str(error).splitlines()[0][:200]}", flush=True)
            failed.append(name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
