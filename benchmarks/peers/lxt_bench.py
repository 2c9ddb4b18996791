#!/usr/bin/env python3
"""LXT's LRP on a full-size transformer, for benchmarks/transformers.sh: PyTorch's forward pass,
its forward + backward pass to the input, and LXT's relevance (input × gradient of the top logit
through LXT's rules) — vit_b_16 with LXT's own torchvision patch (CP-LRP), videomae with LXT's
AttnLRP rules wired as scripts/peers/lxt_fixtures.py wires them. The model is built as
benchmarks/export-zoo.py builds it (seed 0, all-zero parameters redrawn) and run on the
NAME_input.npy that script saved.

    lxt_bench.py NAME ZOO_DIR --runs 3 --threads 2

Prints one JSON object: {"model", "threads", "rules", "seconds": {"forward", "forward_backward", "lxt"}}.
"""
import argparse
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "peers"))
import peers_imports  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402
from lxt_fixtures import import_lxt, patch_videomae_attnlrp  # noqa: E402
from peer_bench import median_seconds  # noqa: E402


def export_zoo():
    spec = importlib.util.spec_from_file_location("export_zoo", os.path.join(HERE, "..", "export-zoo.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def input_gradient(model, x):
    x = x.clone().requires_grad_(True)
    logits = model(x)
    logits[0, logits[0].argmax()].backward()
    return x * x.grad


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=["vit_b_16", "videomae"])
    parser.add_argument("zoo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    zoo = export_zoo()
    torch.manual_seed(0)
    model, _ = zoo.build(args.name)
    zoo.redraw_zero_parameters(model)
    x = torch.from_numpy(np.load(os.path.join(args.zoo, f"{args.name}_input.npy")))
    seconds = {}
    with torch.no_grad():
        seconds["forward"] = median_seconds(args.runs, lambda: model(x))
    seconds["forward_backward"] = median_seconds(args.runs, lambda: input_gradient(model, x))
    import_lxt()
    if args.name == "vit_b_16":
        from lxt.efficient import monkey_patch
        from torchvision.models import vision_transformer
        monkey_patch(vision_transformer)
        rules = "CP-LRP (LXT's torchvision ViT patch)"
        torch.manual_seed(0)  # patched classes: build again
        model, _ = zoo.build(args.name)
        zoo.redraw_zero_parameters(model)
    else:
        patch_videomae_attnlrp(model)
        rules = "AttnLRP"
    seconds["lxt"] = median_seconds(args.runs, lambda: input_gradient(model, x))
    print(json.dumps({"model": args.name, "threads": args.threads, "rules": rules, "seconds": seconds}))


if __name__ == "__main__":
    main()
