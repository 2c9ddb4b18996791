"""Attention-rollout references for the parity tests, computed in numpy on the attention maps
PyTorch itself produces.

Also the built-in video transformer's tiny parity models (joint and divided attention, a batch of
two), loaded from their safetensors into scripts/peers/video_transformer.py.

Rebuilds the tiny Hugging Face VideoMAE (joint attention, no class token) and TimeSformer
(divided space-time attention, class token) of scripts/onnx/export-fixtures.py with the same
seed, checks their logits against the committed Tests/Fixtures/onnx/zoo/NAME_logits.npy (so the
weights are the ONNX fixtures'), records every softmax output during the forward pass, and rolls
them out (Abnar & Zuidema 2020, vit-explain's head fusion and discard ratio) with full token-to-token
matrices. Writes Tests/Fixtures/peers/attention/NAME_rollout_FUSION_DISCARD.npy, shaped
(1, T', H', W').

Also the torchvision hierarchical transformers of the zoo fixtures (tiny MViT v2 and v1, tiny Swin):
their last stage's maps only — the trailing maps of one shape, joint over the output token grid —
as STExplain reads them.

    .venv-peers/bin/python scripts/peers/attention_fixtures.py
"""
import importlib.util
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
ZOO = os.path.join(ROOT, "Tests", "Fixtures", "onnx", "zoo")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "peers", "attention")
GRID = (2, 4, 4), (4, 4, 4)  # VideoMAE: tubelet 2 of 4 frames; TimeSformer: every frame; both 4×4 patches
CASES = [("mean", 0.0), ("max", 0.5), ("min", 0.0)]


def load_exporter():
    spec = importlib.util.spec_from_file_location("export_fixtures", os.path.join(ROOT, "scripts", "onnx", "export-fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def attention_maps(model, x):
    """The softmax outputs of one forward pass, in order, however the model calls softmax
    (torch.nn.functional.softmax, torch.softmax or Tensor.softmax)."""
    maps, originals = [], [(F, "softmax", F.softmax), (torch, "softmax", torch.softmax),
                           (torch.Tensor, "softmax", torch.Tensor.softmax)]

    depth = [0]

    def recording(function):
        def record(*args, **kwargs):  # only the outermost call of nested ones (F.softmax → Tensor.softmax)
            depth[0] += 1
            try:
                out = function(*args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0:
                maps.append(out.detach().numpy().astype(np.float64))
            return out
        return record

    for owner, name, function in originals:
        setattr(owner, name, recording(function))
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)
    assert maps, "no softmax was recorded"
    return logits.numpy(), maps


def fused(a, fusion, discard, keep_first):
    """One group's heads (H, L, L) → (A + I) / rowsum, with vit-explain's fusion and discard."""
    a = {"mean": a.mean(0), "max": a.max(0), "min": a.min(0)}[fusion]
    if discard > 0:
        flat = a.reshape(-1).copy()
        lowest = np.argsort(flat, kind="stable")[: int(flat.size * discard)]
        if keep_first:
            lowest = lowest[lowest != 0]
        flat[lowest] = 0
        a = flat.reshape(a.shape)
    a = a + np.eye(a.shape[0])
    return a / a.sum(-1, keepdims=True)


def token_matrix(attention, grid, k, fusion, discard):
    """One attention map (groups, H, L, L) of one sample as a matrix over K + T'·P tokens."""
    t, p = grid[0], grid[1] * grid[2]
    n = k + t * p
    cell = lambda f, q: k + f * p + q
    groups, length = attention.shape[0], attention.shape[-1]
    if length == n:  # joint
        return fused(attention[0], fusion, discard, k > 0)
    m = np.zeros((n, n))
    if length == t:  # temporal, groups are positions; class tokens untouched
        for q in range(p):
            a = fused(attention[q], fusion, discard, False)
            index = [cell(f, q) for f in range(t)]
            m[np.ix_(index, index)] = a
        m[:k, :k] = np.eye(k)
        return m
    assert length == k + p and groups == t
    for f in range(t):  # spatial, groups are frames; the class tokens' rows averaged over frames
        a = fused(attention[f], fusion, discard, k > 0)
        index = list(range(k)) + [cell(f, q) for q in range(p)]
        block = a.copy()
        block[:k] /= t
        m[np.ix_(index, index)] += block
    return m


def rollout(maps, grid, k, fusion, discard, samples=1):
    """(samples, T', H', W'): each sample's rollout from its own groups of every map."""
    n = k + grid[0] * grid[1] * grid[2]
    rows = []
    for sample in range(samples):
        result = np.eye(n)
        for attention in maps:
            groups = attention.reshape((samples, -1) + attention.shape[-3:])[sample]
            result = token_matrix(groups, grid, k, fusion, discard) @ result
        rows.append((result[0] if k > 0 else result.mean(0))[k:])
    return np.stack(rows).reshape((samples,) + grid)


def video_transformer_cases():
    """The built-in video transformer's parity models (scripts/peers/export_video_transformer.py),
    loaded from their safetensors into the PyTorch module of the same names: (name, model, input,
    token grid, class tokens)."""
    import json
    from safetensors import safe_open
    from safetensors.torch import load_file
    from video_transformer import VideoTransformer
    peers = os.path.join(ROOT, "Tests", "Fixtures", "peers")
    for attention in ["joint", "divided"]:
        key = f"video_transformer_{attention}"
        path = os.path.join(peers, key + ".safetensors")
        with safe_open(path, "pt") as f:
            spec = json.loads(f.metadata()["stexplain.model"])
        model = VideoTransformer.from_spec(spec).eval()
        model.load_state_dict(load_file(path))
        x = torch.from_numpy(np.load(os.path.join(peers, key + "_input.npy")))
        shape, tubelet = spec["inputShape"][2:], spec["tubelet"]
        yield key, model, x, tuple(s // t for s, t in zip(shape, tubelet)), 1


def main():
    exporter = load_exporter()
    exporter.import_torchvision()
    os.makedirs(OUT, exist_ok=True)
    for (name, build), grid in zip([("tiny_videomae", exporter.tiny_videomae),
                                    ("tiny_timesformer", exporter.tiny_timesformer)], GRID):
        torch.manual_seed(0)
        model = build()
        exporter.enliven(model)
        model.eval()
        model.model.config._attn_implementation = "eager"
        x = torch.from_numpy(np.load(os.path.join(ZOO, f"{name}_input.npy")))
        logits, maps = attention_maps(model, x)
        expected = np.load(os.path.join(ZOO, f"{name}_logits.npy"))
        assert np.allclose(logits, expected, rtol=1e-4, atol=1e-5), f"{name}: not the ONNX fixture's weights"
        k = 1 if name == "tiny_timesformer" else 0
        save_rollouts(name, maps, grid, k, samples=1)
    for name, model, x, grid, k in video_transformer_cases():
        _, maps = attention_maps(model, x)
        save_rollouts(name, maps, grid, k, samples=x.shape[0])
    for name, grid, k in HIERARCHICAL:
        torch.manual_seed(0)
        model = exporter.ZOO_MODELS[name][0]()
        exporter.enliven(model)
        model.eval()
        x = torch.from_numpy(np.load(os.path.join(ZOO, f"{name}_input.npy")))
        logits, maps = attention_maps(model, x)
        assert np.allclose(logits, np.load(os.path.join(ZOO, f"{name}_logits.npy")), rtol=1e-4, atol=1e-5), name
        save_rollouts(name, last_stage(maps, grid, k), (1,) * (3 - len(grid)) + grid, k, samples=1, shape=grid)


# Hierarchical transformers whose last stage attends jointly over the output grid: (fixture, output
# token grid, class tokens). MViT pools queries, keys and values before it, Swin attends in windows.
HIERARCHICAL = [("tiny_mvit_v2", (2, 4, 4), 1), ("tiny_mvit_v1", (2, 4, 4), 1), ("tiny_swin2d", (4, 4), 0)]


def last_stage(maps, grid, k):
    """The trailing maps of the last map's shape, square over the K + grid tokens."""
    n = k + int(np.prod(grid))
    assert maps[-1].shape[-2:] == (n, n), f"the last map {maps[-1].shape} is not joint over {n} tokens"
    first = len(maps)
    while first > 0 and maps[first - 1].shape == maps[-1].shape:
        first -= 1
    return maps[first:]


def save_rollouts(name, maps, grid, k, samples, shape=None):
    for fusion, discard in CASES:
        result = rollout(maps, grid, k, fusion, discard, samples)
        if shape is not None:
            result = result.reshape((samples,) + shape)
        path = os.path.join(OUT, f"{name}_rollout_{fusion}_{discard:g}.npy")
        np.save(path, result.astype(np.float32))
        print(f"{name}: {len(maps)} attention maps {[m.shape for m in maps]} -> {os.path.basename(path)} {result.shape}")


if __name__ == "__main__":
    main()
