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
"""
import os

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


if __name__ == "__main__":
    main()
