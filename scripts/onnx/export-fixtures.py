#!/usr/bin/env python3
"""Exports the ONNX parity fixtures in Tests/Fixtures/onnx/ with torch.onnx.export.

A tiny torchvision-style 3D ResNet (r3d_18's structure at toy width: stem Conv3d-BN-ReLU, one
BasicBlock, one strided BasicBlock with a downsample, AdaptiveAvgPool3d, view, Linear) with seeded
random weights and batch-norm statistics, exported twice by the TorchScript exporter at opset 17:

  tiny_r3d.onnx           eval export (torch folds each BatchNorm into its Conv; the Linear keeps
                          its state_dict names `fc.weight`/`fc.bias`), dynamic batch axis, so the
                          `x.view(x.size(0), -1)` becomes a Shape/Gather/Unsqueeze/Concat chain.
  tiny_r3d_unfolded.onnx  the same without constant folding: BatchNormalization nodes and every
                          parameter under its state_dict name (`layer1.0.conv1.weight`, …).
  tiny_r3d_dynamo.onnx    torch's default (torch.export-based) exporter at opset 18, which needs
                          onnxscript: node names like `node_Conv_91`, ReduceMean with axes as an
                          input, a Reshape target computed from a symbolic batch.

plus tiny_r3d_input.npy (1×3×4×16×16) and tiny_r3d_logits.npy (the model's 1×5 output in
PyTorch). A second toy model, a 1D sequence classifier, exercises the ops the importer builds
from Pad, Div and LSTM:

  pad_norm_bilstm.onnx    nn.ReflectionPad1d((2, 1)) (Pad, reflect), Conv1d, ReLU, F.pad
                          replicate (Pad, edge), h / (Σ_c h² + 1) (Div by a computed tensor),
                          nn.LSTM(bidirectional=True) whose last step and both final states feed a
                          Linear; TorchScript exporter, opset 17, static shapes.

with pad_norm_bilstm_input.npy (1×3×8) and pad_norm_bilstm_logits.npy (1×4). Each file is
checked against the PyTorch logits with onnx's reference evaluator before it is kept. Run once
when the fixtures should change:

    python3 -m venv /tmp/onnx-fixtures && /tmp/onnx-fixtures/bin/pip install torch onnx onnxscript numpy
    /tmp/onnx-fixtures/bin/python scripts/onnx/export-fixtures.py

A CPU-only torch wheel is enough (the PyPI manylinux wheel also pulls several GB of CUDA
libraries, without which `import torch` fails); the fixtures were made with torch 2.13.0+cpu,
onnx 1.23.2 and onnxscript 0.7.2.

`--zoo` exports only a second set, into Tests/Fixtures/onnx/zoo/ (the fixtures above are left
alone): today's video and image architectures at toy size, built with the libraries' own classes
so that each graph has the op patterns of the full-size model. It needs torchvision and
transformers besides, as in the peers venv (`import peers_imports` from scripts/peers/ makes
torchvision import beside the CPU-only torch); `--zoo FAMILY ...` redoes only those families:

    .venv-peers/bin/python scripts/onnx/export-fixtures.py --zoo

Each model is built after torch.manual_seed(0), in eval mode; parameters that init leaves zero or
constant (ViT's zero head, class tokens, position and relative-position tables, LayerNorm affine,
ConvNeXt's 1e-6 layer scale) are re-drawn and batch-norm statistics randomised, so the logits
differ between classes. The input is standard normal from a torch.Generator seeded 0, batch 1:

  tiny_mvit_v2        torchvision MViT with mvit_v2_s's flags (residual pooling, relative position
                      embeddings, projection after attention), 3 blocks 16→32 channels, input
                      1×3×4×32×32 (N C T H W)
  tiny_mvit_v1        the same with mvit_v1_b's flags (absolute position embeddings)
  tiny_swin3d         torchvision SwinTransformer3d, patch 2×4×4, embed 16, depths [2, 2], heads
                      [1, 2], window 2×4×4, input 1×3×8×40×40 (windows padded, shifted, masked)
  tiny_swin2d         torchvision SwinTransformer (swin_t's blocks), patch 4, embed 16, depths
                      [2, 2], heads [1, 2], window 4, input 1×3×32×32
  tiny_vit            torchvision VisionTransformer 32², patch 8, 2 layers, 2 heads, width 32;
                      also tiny_vit_opset14 (LayerNorm decomposed) and tiny_vit_opset20 (the
                      TorchScript exporter's newest opset)
  tiny_convnext       torchvision ConvNeXt, stages (16→32, 1 block), (32, 1 block), input 1×3×32×32
  tiny_mobilenet_v3   torchvision MobileNetV3 with mobilenet_v3_small's first six blocks at width
                      0.25 (squeeze-excitation with Hardsigmoid, Hardswish), last channel 128,
                      input 1×3×64×64
  tiny_videomae       transformers VideoMAEForVideoClassification 32², patch 8, 4 frames, tubelet 2,
                      width 32, 2 layers; forward(pixel_values) → logits; input 1×4×3×32×32 (N T C H W)
  tiny_timesformer    transformers TimesformerForVideoClassification, the same sizes and wrapper

all exported by the TorchScript exporter at opset 17 with static shapes, and NAME_dynamo.onnx by
the torch.export-based exporter at opset 18 for tiny_vit, tiny_swin3d, tiny_convnext,
tiny_mobilenet_v3 and tiny_mvit_v2 (an export that fails is reported and skipped), without the
nodes' stack-trace, FX-node and class-hierarchy metadata (`namespace` stays). Each family
has one NAME_input.npy and NAME_logits.npy that its variants share; index.json lists every
fixture as {"onnx", "input", "logits", "opset", "exporter", "family", "layout"}. A fixture is kept
only if onnx.checker accepts it and onnx's reference evaluator reproduces PyTorch's logits within
1e-4 × max |logit|.
"""
import argparse
import collections
import json
import os
import sys
import warnings

import numpy as np
import onnx
import onnx.reference
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "onnx")


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv3d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv3d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm3d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv3d(inplanes, planes, 1, stride=stride, bias=False),
                                            nn.BatchNorm3d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class TinyR3D(nn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv3d(3, 8, (3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
                                  nn.BatchNorm3d(8), nn.ReLU(inplace=True))
        self.layer1 = nn.Sequential(BasicBlock(8, 8))
        self.layer2 = nn.Sequential(BasicBlock(8, 16, stride=2))
        self.avgpool = nn.AdaptiveAvgPool3d((1, 1, 1))
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        x = self.avgpool(x)
        return self.fc(x.view(x.size(0), -1))


class PadNormBiLSTM(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.pad = nn.ReflectionPad1d((2, 1))
        self.conv = nn.Conv1d(3, 6, 3)
        self.lstm = nn.LSTM(6, 5, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(20, classes)

    def forward(self, x):
        h = torch.relu(self.conv(self.pad(x)))
        h = nn.functional.pad(h, (0, 1), mode="replicate")
        h = h / ((h * h).sum(dim=1, keepdim=True) + 1)
        y, (h_n, _) = self.lstm(h.transpose(1, 2))
        return self.fc(torch.cat([y[:, -1], h_n[0], h_n[1]], dim=1))


def check(name, inputs, logits):
    session = onnx.reference.ReferenceEvaluator(onnx.load(os.path.join(OUT, name)))
    (reference,) = session.run(None, inputs)
    assert np.allclose(reference, logits.numpy(), atol=1e-5), f"{name}: {reference} vs {logits.numpy()}"


def export_sequence_fixture():
    torch.manual_seed(1)
    model = PadNormBiLSTM().eval()
    x = torch.randn(1, 3, 8)
    with torch.no_grad():
        logits = model(x)
    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(model, (x,), os.path.join(OUT, "pad_norm_bilstm.onnx"), input_names=["input"],
                      output_names=["logits"], opset_version=17, dynamo=False)
    check("pad_norm_bilstm.onnx", {"input": x.numpy()}, logits)
    np.save(os.path.join(OUT, "pad_norm_bilstm_input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "pad_norm_bilstm_logits.npy"), logits.numpy().astype(np.float32))
    print("pad_norm_bilstm logits", logits.numpy())


def main():
    torch.manual_seed(0)
    model = TinyR3D()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm3d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 1.5)
    model.eval()
    x = torch.randn(1, 3, 4, 16, 16)
    with torch.no_grad():
        logits = model(x)
    os.makedirs(OUT, exist_ok=True)
    common = dict(input_names=["input"], output_names=["logits"], opset_version=17, dynamo=False,
                  dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    torch.onnx.export(model, (x,), os.path.join(OUT, "tiny_r3d.onnx"), **common)
    torch.onnx.export(model, (x,), os.path.join(OUT, "tiny_r3d_unfolded.onnx"), do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE, **common)
    torch.onnx.export(model, (x,), os.path.join(OUT, "tiny_r3d_dynamo.onnx"), input_names=["input"],
                      output_names=["logits"], opset_version=18, dynamo=True, external_data=False,
                      dynamic_shapes={"x": {0: torch.export.Dim("batch")}})
    for name in ["tiny_r3d.onnx", "tiny_r3d_unfolded.onnx", "tiny_r3d_dynamo.onnx"]:
        check(name, {"input": x.numpy()}, logits)
    np.save(os.path.join(OUT, "tiny_r3d_input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "tiny_r3d_logits.npy"), logits.numpy().astype(np.float32))
    print("logits", logits.numpy())
    export_sequence_fixture()


ZOO = os.path.join(OUT, "zoo")


class LogitsOnly(nn.Module):
    """A Hugging Face classifier whose forward takes pixel_values and returns the logits alone."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model(pixel_values=pixel_values).logits


def import_torchvision():
    peers = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers")
    if peers not in sys.path:
        sys.path.insert(0, peers)
    import peers_imports  # noqa: F401  (torchvision beside a CPU-only torch)
    import torchvision
    return torchvision


def tiny_mvit(v2):
    from torchvision.models.video.mvit import MSBlockConfig, MViT
    if v2:  # mvit_v2_s: q pooled in every block, channels double in the block that pools q
        blocks = [(1, 16, 16, [3, 3, 3], [1, 1, 1], [1, 2, 2]),
                  (2, 16, 32, [3, 3, 3], [1, 2, 2], [1, 2, 2]),
                  (2, 32, 32, [3, 3, 3], [1, 1, 1], [1, 1, 1])]
    else:  # mvit_v1_b: q pooled only where it is strided, channels double in the first block
        blocks = [(1, 16, 32, [], [], [1, 2, 2]),
                  (2, 32, 32, [3, 3, 3], [1, 2, 2], [1, 2, 2]),
                  (2, 32, 32, [], [], [1, 1, 1])]
    setting = [MSBlockConfig(num_heads=h, input_channels=i, output_channels=o, kernel_q=kq, kernel_kv=[3, 3, 3],
                             stride_q=sq, stride_kv=skv) for h, i, o, kq, sq, skv in blocks]
    flags = (dict(residual_pool=True, residual_with_cls_embed=False, rel_pos_embed=True, proj_after_attn=True)
             if v2 else dict(residual_pool=False, residual_with_cls_embed=True, rel_pos_embed=False,
                             proj_after_attn=False))
    return MViT(spatial_size=(32, 32), temporal_size=4, block_setting=setting, stochastic_depth_prob=0.0,
                num_classes=5, **flags)


def tiny_swin3d():
    from torchvision.models.video.swin_transformer import SwinTransformer3d
    return SwinTransformer3d(patch_size=[2, 4, 4], embed_dim=16, depths=[2, 2], num_heads=[1, 2],
                             window_size=[2, 4, 4], stochastic_depth_prob=0.0, num_classes=5)


def tiny_swin2d():
    from torchvision.models.swin_transformer import SwinTransformer
    return SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[1, 2], window_size=[4, 4],
                           stochastic_depth_prob=0.0, num_classes=5)


def tiny_vit():
    from torchvision.models.vision_transformer import VisionTransformer
    return VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64,
                             num_classes=5)


def tiny_convnext():
    from torchvision.models.convnext import CNBlockConfig, ConvNeXt
    return ConvNeXt([CNBlockConfig(16, 32, 1), CNBlockConfig(32, None, 1)], num_classes=5)


def tiny_mobilenet_v3():
    from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf
    setting, _ = _mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25)
    # the first six blocks: squeeze-excitation without expansion, ReLU blocks with and without the
    # residual, 5×5 Hardswish blocks with squeeze-excitation, strided and residual
    return MobileNetV3(setting[:6], 128, num_classes=5)


def tiny_videomae():
    import transformers
    config = transformers.VideoMAEConfig(image_size=32, patch_size=8, num_frames=4, tubelet_size=2, hidden_size=32,
                                         num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                                         num_labels=5)
    return LogitsOnly(transformers.VideoMAEForVideoClassification(config))


def tiny_timesformer():
    import transformers
    config = transformers.TimesformerConfig(image_size=32, patch_size=8, num_frames=4, hidden_size=32,
                                            num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                                            num_labels=5)
    return LogitsOnly(transformers.TimesformerForVideoClassification(config))


# name: (builder, input shape, layout, [(suffix, exporter, opset)])
TS17 = ("", "torchscript", 17)
DYNAMO = ("_dynamo", "dynamo", 18)
ZOO_MODELS = {
    "tiny_mvit_v2": (lambda: tiny_mvit(True), (1, 3, 4, 32, 32), "ncthw", [TS17, DYNAMO]),
    "tiny_mvit_v1": (lambda: tiny_mvit(False), (1, 3, 4, 32, 32), "ncthw", [TS17]),
    "tiny_swin3d": (tiny_swin3d, (1, 3, 8, 40, 40), "ncthw", [TS17, DYNAMO]),
    "tiny_swin2d": (tiny_swin2d, (1, 3, 32, 32), "nchw", [TS17]),
    "tiny_vit": (tiny_vit, (1, 3, 32, 32), "nchw",
                 [TS17, ("_opset14", "torchscript", 14), ("_opset20", "torchscript", 20), DYNAMO]),
    "tiny_convnext": (tiny_convnext, (1, 3, 32, 32), "nchw", [TS17, DYNAMO]),
    "tiny_mobilenet_v3": (tiny_mobilenet_v3, (1, 3, 64, 64), "nchw", [TS17, DYNAMO]),
    "tiny_videomae": (tiny_videomae, (1, 4, 3, 32, 32), "ntchw", [TS17]),
    "tiny_timesformer": (tiny_timesformer, (1, 4, 3, 32, 32), "ntchw", [TS17]),
}


def enliven(model):
    """Re-draws what init leaves zero or constant, so that every class has its own logit.

    Batch norms get random affine parameters and statistics (as in TinyR3D above); any other
    parameter whose elements are all equal is re-drawn: zero ones (heads, biases, class tokens,
    position and relative-position tables) from N(0, 0.02²), LayerNorm scales as 1 + N(0, 0.1²),
    ConvNeXt's layer scale (1e-6, which would mute each block) from U(0.1, 1). Returns the names of
    the re-drawn parameters."""
    redrawn = []
    with torch.no_grad():
        batch_norms = set()
        for name, module in model.named_modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 1.5)
                batch_norms.update({f"{name}.weight", f"{name}.bias"})
        for name, parameter in model.named_parameters():
            if name in batch_norms:
                continue
            flat = parameter.flatten()
            if flat.numel() == 0 or not bool((flat == flat[0]).all()):
                continue
            value = float(flat[0])
            if name.endswith("layer_scale"):
                parameter.uniform_(0.1, 1.0)
            elif value == 0.0:
                nn.init.normal_(parameter, std=0.02)
            else:
                parameter.copy_(value * (1 + 0.1 * torch.randn_like(parameter)))
            redrawn.append(name)
    return redrawn


DEBUG_METADATA = ("pkg.torch.onnx.stack_trace", "pkg.torch.onnx.fx_node", "pkg.torch.onnx.class_hierarchy")


def strip_debug_metadata(path):
    """Drops the dynamo exporter's per-node stack traces, FX node texts and class hierarchies (over
    half of a small file, with this machine's paths); `namespace` and the name scopes stay."""
    model = onnx.load(path)

    def strip(graph):
        for node in graph.node:
            kept = [(p.key, p.value) for p in node.metadata_props if p.key not in DEBUG_METADATA]
            del node.metadata_props[:]
            for key, value in kept:
                node.metadata_props.add(key=key, value=value)
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.GRAPH:
                    strip(attribute.g)
                for subgraph in attribute.graphs:
                    strip(subgraph)

    strip(model.graph)
    for function in model.functions:
        strip(function)
    onnx.save(model, path)


def op_types(graph, counter=None):
    """Counts the node op types of a graph and of the subgraphs in its nodes' attributes."""
    counter = collections.Counter() if counter is None else counter
    for node in graph.node:
        counter[node.op_type] += 1
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                op_types(attribute.g, counter)
            for subgraph in attribute.graphs:
                op_types(subgraph, counter)
    return counter


def verify(path, x, logits):
    """onnx.checker, then the reference evaluator against PyTorch's logits; the relative error."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = onnx.reference.ReferenceEvaluator(model)
    (reference,) = session.run(None, {model.graph.input[0].name: x})
    assert reference.shape == logits.shape, f"shape {reference.shape} vs {logits.shape}"
    error = float(np.abs(reference - logits).max()) / float(np.abs(logits).max())
    assert error <= 1e-4, f"max |Δ| / max |logit| = {error:.2e}"
    return model, error


def export_zoo(names=None):
    import_torchvision()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    os.makedirs(ZOO, exist_ok=True)
    index, failed = [], []
    for family, (build, shape, layout, variants) in ZOO_MODELS.items():
        if names and family not in names:
            continue
        torch.manual_seed(0)
        model = build()
        redrawn = enliven(model)
        model.eval()
        x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            logits = model(x)
        print(f"{family}: input {list(shape)}, logits {np.round(logits.numpy(), 4).tolist()}, "
              f"re-drawn {len(redrawn)} parameters: {', '.join(redrawn)}", flush=True)
        x_np, logits_np = x.numpy().astype(np.float32), logits.numpy().astype(np.float32)
        np.save(os.path.join(ZOO, f"{family}_input.npy"), x_np)
        np.save(os.path.join(ZOO, f"{family}_logits.npy"), logits_np)
        for suffix, exporter, opset in variants:
            name = family + suffix
            path = os.path.join(ZOO, name + ".onnx")
            try:
                common = dict(opset_version=opset, input_names=["input"], output_names=["logits"])
                if exporter == "dynamo":
                    torch.onnx.export(model, (x,), path, dynamo=True, external_data=False, **common)
                    strip_debug_metadata(path)
                else:
                    torch.onnx.export(model, (x,), path, dynamo=False, **common)
                onnx_model, error = verify(path, x_np, logits_np)
            except Exception as error:  # one failing export must not stop the others
                message = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:300] if str(error).strip() else ''}"
                print(f"  {name}: FAILED {message}", flush=True)
                failed.append((name, message))
                if os.path.exists(path):
                    os.remove(path)
                continue
            opset_found = next(o.version for o in onnx_model.opset_import if o.domain in ("", "ai.onnx"))
            counts = op_types(onnx_model.graph)
            for function in onnx_model.functions:
                op_types(function, counts)
            print(f"  {name}.onnx: {os.path.getsize(path)} bytes, opset {opset_found}, error {error:.1e}, "
                  f"ops {dict(sorted(counts.items()))}", flush=True)
            index.append({"onnx": name + ".onnx", "input": f"{family}_input.npy", "logits": f"{family}_logits.npy",
                          "opset": opset_found, "exporter": exporter, "family": family, "layout": layout})
    if names:  # keep the other families' entries of an earlier run
        index_path = os.path.join(ZOO, "index.json")
        if os.path.exists(index_path):
            with open(index_path) as file:
                kept = [entry for entry in json.load(file) if entry["family"] not in names]
            index = kept + index
    index.sort(key=lambda entry: (list(ZOO_MODELS).index(entry["family"]), entry["onnx"]))
    with open(os.path.join(ZOO, "index.json"), "w") as file:
        json.dump(index, file, indent=1)
        file.write("\n")
    for name, message in failed:
        print(f"failed: {name}: {message}")
    return failed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zoo", nargs="*", metavar="FAMILY",
                        help="export only the zoo fixtures (all of them, or the named families) into zoo/")
    arguments = parser.parse_args()
    if arguments.zoo is None:
        main()
    else:
        export_zoo(arguments.zoo)
