#!/usr/bin/env python3
"""Writes the peer-parity fixtures in Tests/Fixtures/peers/ (see README.md there).

Small models with fixed seeds (scripts/peers/models.py, the built-in architectures at toy width),
their weights as safetensors (PyTorch state_dict names, `stexplain.model` metadata where a
ModelSpec describes them) and ONNX, a fixed input each, PyTorch's logits, and the outputs of
pytorch-grad-cam, Captum and zennit on them as .npy, plus manifest.json (what each case is: model,
target class, layer, method settings) and versions.json. Run once when the fixtures should change:

    scripts/peers/setup.sh
    .venv-peers/bin/python scripts/peers/export.py

`make test` then needs no Python: Tests/STExplainTests/PeerParityTests.swift reads the files.
"""
import importlib.metadata
import json
import os
import platform
import subprocess
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers_imports  # noqa: E402  (torchvision without its compiled ops, see there)
import models  # noqa: E402
from video_canonizer import VideoBasicBlockCanonizer  # noqa: E402

import captum.attr as captum  # noqa: E402
import pytorch_grad_cam as pgc  # noqa: E402
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
import zennit.composites as zc  # noqa: E402
import zennit.rules as zr  # noqa: E402
from zennit.attribution import Gradient  # noqa: E402
from zennit.canonizers import SequentialMergeBatchNorm  # noqa: E402
from zennit.types import Convolution  # noqa: E402

import onnx  # noqa: E402
import onnx.reference  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "peers")
CLASSES = 5
CAM_METHODS = {"gradcam": pgc.GradCAM, "gradcam++": pgc.GradCAMPlusPlus, "xgradcam": pgc.XGradCAM,
               "layercam": pgc.LayerCAM, "hirescam": pgc.HiResCAM}
manifest = {"models": {}, "cases": []}


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(np.asarray(array, dtype=np.float32)))
    return name + ".npy"


def randomize_batch_norms(model, generator, zero_shift=False):
    """Random affine parameters and running statistics, so folding them is exercised; with
    `zero_shift` the shift β and the running mean are 0, so a folded convolution has no bias."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.weight.copy_(torch.rand(module.weight.shape, generator=generator) + 0.5)
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) + 0.5)
                if zero_shift:
                    module.bias.zero_()
                    module.running_mean.zero_()
                else:
                    module.bias.copy_(torch.rand(module.bias.shape, generator=generator) * 0.4 - 0.2)
                    module.running_mean.copy_(torch.rand(module.running_mean.shape, generator=generator) * 0.4 - 0.2)


def export_model(key, model, x, spec=None, onnx_ok=True):
    """safetensors (+ metadata), ONNX (TorchScript exporter, opset 17, folded), input and logits."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    metadata = {"stexplain.model": json.dumps(spec)} if spec else None
    save_file(state, os.path.join(OUT, key + ".safetensors"), metadata=metadata)
    entry = {"safetensors": key + ".safetensors", "input": save(key + "_input", x), "logits": save(key + "_logits", logits),
             "spec": spec, "target": int(logits[0].argmax())}
    if onnx_ok:
        path = os.path.join(OUT, key + ".onnx")
        torch.onnx.export(model, (x,), path, input_names=["input"], output_names=["logits"], opset_version=17,
                          dynamo=False)
        (reference,) = onnx.reference.ReferenceEvaluator(onnx.load(path)).run(None, {"input": x.numpy()})
        assert np.allclose(reference, logits.numpy(), atol=1e-4), f"{key}.onnx: {reference} vs {logits.numpy()}"
        entry["onnx"] = key + ".onnx"
    manifest["models"][key] = entry
    print(f"{key}: logits {logits.numpy().round(4)}, target {entry['target']}")
    return entry["target"]


def case(model_key, method, peer, output, **settings):
    manifest["cases"].append({"model": model_key, "method": method, "peer": peer, "output": output, **settings})


def cam_cases(key, model, x, target, layer_name, layer_module):
    """pytorch-grad-cam's un-normalised map: its own `get_cam_image` (the weights of each method's
    `get_cam_weights`, or LayerCAM's/HiResCAM's element-wise products, summed over channels) on the
    activations and gradients its hooks recorded — before its ReLU, min–max scaling and resizing."""
    for method, cls in CAM_METHODS.items():
        with cls(model=model, target_layers=[layer_module]) as cam:
            targets = [ClassifierOutputTarget(target)]
            cam(input_tensor=x, targets=targets)
            activations = cam.activations_and_grads.activations[0].numpy()
            gradients = cam.activations_and_grads.gradients[0].numpy()
            raw = cam.get_cam_image(x, layer_module, targets, activations, gradients, False)
        case(key, method, "pytorch-grad-cam", save(f"{key}_{method}_{layer_name}_pgc", raw), layer=layer_name,
             compared="map before pytorch-grad-cam's ReLU, scaling and resizing")
    gradcam = captum.LayerGradCam(model, layer_module).attribute(x, target=target, relu_attributions=True)
    case(key, "gradcam", "captum", save(f"{key}_gradcam_{layer_name}_captum", gradcam.detach()[:, 0]), layer=layer_name,
         compared="LayerGradCam(relu_attributions=True), channel axis dropped")


def gradient_cases(key, model, x, target, window, stride):
    saliency = captum.Saliency(model).attribute(x, target=target, abs=True)
    case(key, "saliency", "captum", save(f"{key}_saliency_captum", saliency), compared="attribution")
    for method, cls in [("guided-backprop", captum.GuidedBackprop), ("deconvnet", captum.Deconvolution)]:
        out = cls(model).attribute(x, target=target)
        case(key, method, "captum", save(f"{key}_{method}_captum", out.detach()), compared="attribution")
    ig = captum.IntegratedGradients(model).attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=50,
                                                     method="gausslegendre", internal_batch_size=25)
    case(key, "integrated-gradients", "captum", save(f"{key}_integrated-gradients_captum", ig.detach()), steps=50,
         compared="attribution")
    occlusion = captum.Occlusion(model).attribute(x, sliding_window_shapes=(x.shape[1], *window),
                                                  strides=(x.shape[1], *stride), baselines=0, target=target,
                                                  perturbations_per_eval=16)
    # Captum gives every channel the same value; the map keeps one.
    case(key, "occlusion", "captum", save(f"{key}_occlusion_captum", occlusion[:, 0]), window=list(window),
         stride=list(stride), compared="map (attribution of channel 0; all channels are equal)")


def zennit_relevance(model, x, target, composite):
    """Relevance at the input with `composite`, started from the target's logit (STExplain's start
    value) rather than zennit's usual one-hot 1: the output relevance is y ⊙ one_hot(target)."""
    one_hot = torch.zeros(1, CLASSES)
    one_hot[0, target] = 1
    with Gradient(model=model, composite=composite) as attributor:
        _, relevance = attributor(x.clone().requires_grad_(True), lambda y: y * one_hot)
    return relevance.detach()


def uniform_composite(rule_factory, canonizers):
    """One rule for every convolution and linear layer, zennit's base map (ReLU pass, sums and
    average pools Norm, batch norm pass) for the rest."""
    return zc.LayerMapComposite(layer_map=zc.layer_map_base() + [(Convolution, rule_factory()),
                                                                 (nn.Linear, rule_factory())],
                                canonizers=canonizers)


def bounded_rule(low, high):
    """zβ as innvestigate's BoundedRule (and STExplain's ZBetaRule): the bias in the x·w term only,
    so it stays in the denominator. zennit's ZBox clamps the bias in its bound terms too, so there
    z = (x·w + b) − (l·w⁺ + b⁺) − (h·w⁻ + b⁻) and the bias cancels; this is ZBox with the bound
    terms' bias zeroed, in zennit's own engine. Identical to ZBox on a bias-free first layer."""
    stabilizer = zr.Stabilizer.ensure(1e-6)
    sub = lambda positive, *negatives: positive - sum(negatives)  # noqa: E731
    return zr.BasicHook(
        input_modifiers=[lambda input: input, lambda input: zr.expand(low, input.shape, cut_batch_dim=True).to(input),
                         lambda input: zr.expand(high, input.shape, cut_batch_dim=True).to(input)],
        param_modifiers=[zr.NoMod(), zr.ClampMod(min=0., zero_params=["bias"]),
                         zr.ClampMod(max=0., zero_params=["bias"])],
        output_modifiers=[lambda output: output] * 3,
        gradient_mapper=lambda out_grad, outputs: (out_grad / stabilizer(sub(*outputs)),) * 3,
        reducer=lambda inputs, gradients: sub(*(i * g for i, g in zip(inputs, gradients))))


def lrp_rule_cases(key, model, x, target, first_layer_bias):
    canonizers = lambda: [SequentialMergeBatchNorm()]  # noqa: E731
    low = x.amin(dim=(0, 2, 3, 4)).view(1, -1, 1, 1, 1)
    high = x.amax(dim=(0, 2, 3, 4)).view(1, -1, 1, 1, 1)
    rules = {
        "epsilon": lambda: zr.Epsilon(epsilon=1e-6),
        # STExplain's `zplus` is Montavon et al.'s z⁺ without the bias; zennit's ZPlus keeps b⁺
        # (STExplain's `ZPlusRule(includesBias: true)`, used by its epsilon-plus, case "zplus-bias").
        "zplus": lambda: zr.ZPlus(zero_params=["bias"]),
        "zplus-bias": lambda: zr.ZPlus(),
        "alpha2beta1": lambda: zr.AlphaBeta(alpha=2, beta=1),
        "alpha1beta0": lambda: zr.AlphaBeta(alpha=1, beta=0),
        "flat": lambda: zr.Flat(),
        # zennit's WSquare squares the bias too; the w² rule (Montavon et al. 2017) has none.
        "wsquare": lambda: zr.WSquare(zero_params=["bias"]),
    }
    for name, rule in rules.items():
        relevance = zennit_relevance(model, x, target, uniform_composite(rule, canonizers()))
        zeroed = {"wsquare": "WSquare", "zplus": "ZPlus"}.get(name)
        case(key, "lrp", "zennit", save(f"{key}_lrp_{name}_zennit", relevance), composite=name,
             compared="relevance at the input" + (f", zennit {zeroed}(zero_params=['bias'])" if zeroed else ""))
    deep_taylor = zc.SpecialFirstLayerMapComposite(
        layer_map=zc.layer_map_base() + [(Convolution, zr.ZPlus(zero_params=["bias"])),
                                         (nn.Linear, zr.ZPlus(zero_params=["bias"]))],
        first_map=[(Convolution, bounded_rule(low, high) if first_layer_bias else zr.ZBox(low=low, high=high))],
        canonizers=canonizers())
    relevance = zennit_relevance(model, x, target, deep_taylor)
    case(key, "lrp", "zennit", save(f"{key}_lrp_deep-taylor_zennit", relevance), composite="deep-taylor",
         low=low.flatten().tolist(), high=high.flatten().tolist(),
         compared="relevance at the input: " + ("zβ with the bias kept in the x·w term (innvestigate's BoundedRule; "
                  "zennit's ZBox cancels it)" if first_layer_bias else "zennit ZBox") + " on the first convolution, "
                  "ZPlus(zero_params=['bias']) elsewhere (innvestigate's DeepTaylor drops biases)")


def lrp_composite_cases(key, model, x, target, canonizers):
    for name, cls in [("epsilon-plus", zc.EpsilonPlus), ("epsilon-alpha2-beta1", zc.EpsilonAlpha2Beta1)]:
        relevance = zennit_relevance(model, x, target, cls(canonizers=canonizers()))
        case(key, "lrp", "zennit", save(f"{key}_lrp_{name}_zennit", relevance), composite=name,
             compared="relevance at the input")


def git_revision():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith((".npy", ".onnx", ".safetensors")):
            os.remove(os.path.join(OUT, name))
    torch.use_deterministic_algorithms(True)

    # r3d_18 at 1/32 width (2, 4, 8, 16 channels): BN, residual blocks; layer4 is 2 × 2 × 2 and
    # layer3 4 × 3 × 3 for a 16 × 24 × 24 clip.
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    r3d = models.R3D(CLASSES, 1 / 32)
    randomize_batch_norms(r3d, generator)
    x = torch.randn(1, 3, 16, 24, 24, generator=generator)
    spec = {"architecture": "r3d_18", "classes": CLASSES, "widthMultiplier": 1 / 32, "inputShape": list(x.shape)}
    target = export_model("r3d", r3d.eval(), x, spec)
    cam_cases("r3d", r3d, x, target, "layer4", r3d.layer4)
    cam_cases("r3d", r3d, x, target, "layer3", r3d.layer3)
    gradient_cases("r3d", r3d, x, target, window=(8, 12, 12), stride=(4, 6, 6))
    lrp_composite_cases("r3d", r3d, x, target, lambda: [SequentialMergeBatchNorm(), VideoBasicBlockCanonizer(models.VideoBasicBlock)])

    # SmallCAMNet in 2D at 1/4 width (8, 16, 32 channels), 32 × 32 images.
    torch.manual_seed(1)
    generator = torch.Generator().manual_seed(1)
    cam2d = models.SmallCAMNet(CLASSES, 0.25, dims=2)
    randomize_batch_norms(cam2d, generator)
    x = torch.randn(1, 3, 32, 32, generator=generator)
    spec = {"architecture": "small_cam_net_2d", "classes": CLASSES, "widthMultiplier": 0.25, "inputShape": list(x.shape)}
    target = export_model("cam2d", cam2d.eval(), x, spec)
    cam_cases("cam2d", cam2d, x, target, "features.10", cam2d.features[10])
    gradient_cases("cam2d", cam2d, x, target, window=(8, 8), stride=(4, 4))

    # C3D at 1/32 width (2 … 16 channels, fc6/fc7 128 wide): biased Conv3d layers, max pools, three
    # linear layers; 16 × 16 × 16 clips (pool5 gives 16 × 1 × 1 × 1).
    torch.manual_seed(2)
    generator = torch.Generator().manual_seed(2)
    c3d = models.C3D(CLASSES, 1 / 32, (1, 3, 16, 16, 16))
    x = torch.randn(1, 3, 16, 16, 16, generator=generator)
    spec = {"architecture": "c3d", "classes": CLASSES, "widthMultiplier": 1 / 32, "inputShape": list(x.shape)}
    target = export_model("c3d", c3d.eval(), x, spec)
    cam_cases("c3d", c3d, x, target, "conv5b.relu", c3d.conv5b_relu)
    lrp_composite_cases("c3d", c3d, x, target, lambda: [])
    lrp_rule_cases("c3d", c3d, x, target, first_layer_bias=True)

    # SmallCAMNet in 3D at 1/8 width: bias-free after BN folding (β = 0, running mean 0, no
    # classifier bias), and the same shape with random BN statistics (biased after folding).
    for key, zero_shift, seed in [("cam3d_nobias", True, 3), ("cam3d_bias", False, 4)]:
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        net = models.SmallCAMNet(CLASSES, 0.125, dims=3)
        randomize_batch_norms(net, generator, zero_shift=zero_shift)
        if zero_shift:
            with torch.no_grad():
                net.classifier.bias.zero_()
        x = torch.randn(1, 3, 8, 16, 16, generator=generator)
        spec = {"architecture": "small_cam_net_3d", "classes": CLASSES, "widthMultiplier": 0.125,
                "inputShape": list(x.shape)}
        target = export_model(key, net.eval(), x, spec)
        lrp_rule_cases(key, net, x, target, first_layer_bias=not zero_shift)
        lrp_composite_cases(key, net, x, target, lambda: [SequentialMergeBatchNorm()])

    # ST-GCN at 1/16 width on NTU's 25 joints, 16 frames, 2 persons; trained-looking edge importances.
    torch.manual_seed(5)
    generator = torch.Generator().manual_seed(5)
    stgcn = models.STGCN(CLASSES, 1 / 16)
    randomize_batch_norms(stgcn, generator)
    with torch.no_grad():
        for importance in stgcn.edge_importance:
            importance.copy_(torch.rand(importance.shape, generator=generator) + 0.5)
    x = torch.randn(1, 3, 16, 25, 2, generator=generator)
    spec = {"architecture": "st_gcn", "classes": CLASSES, "widthMultiplier": 1 / 16, "inputShape": list(x.shape)}
    target = export_model("stgcn", stgcn.eval(), x, spec)
    gradcam = captum.LayerGradCam(stgcn, stgcn.st_gcn_networks[9]).attribute(x, target=target, relu_attributions=True)
    # The layer's batch is N·M: Captum gives one map per person; STExplain's map averages persons.
    case("stgcn", "gradcam", "captum", save("stgcn_gradcam_captum", gradcam.detach()[:, 0].mean(0, keepdim=True)),
         layer="st_gcn_networks.9", compared="LayerGradCam(relu_attributions=True), mean over the M persons")

    # CNN-LSTM with temporal attention over a plain 2D backbone at 1/8 width (4, 8, 16 channels),
    # hidden 16, attention 8, 8 frames of 16 × 16. No ModelSpec carries these sizes: the test
    # builds `CNNLSTM(...)` itself.
    torch.manual_seed(6)
    generator = torch.Generator().manual_seed(6)
    lstm = models.CNNLSTM(CLASSES, 0.125, hidden=16, attention_size=8)
    randomize_batch_norms(lstm, generator)
    x = torch.randn(1, 3, 8, 16, 16, generator=generator)
    export_model("cnnlstm", lstm.eval(), x, None, onnx_ok=True)
    manifest["models"]["cnnlstm"]["build"] = {"architecture": "cnn_lstm_attention", "backbone": "plain",
                                              "widthMultiplier": 0.125, "hiddenSize": 16, "attentionSize": 8,
                                              "inputShape": list(x.shape)}

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    versions = {name: importlib.metadata.version(name) for name in
                ["torch", "captum", "grad-cam", "zennit", "onnx", "safetensors", "numpy"]}
    versions.update(python=platform.python_version(), script="scripts/peers/export.py", git_revision=git_revision())
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"{len(manifest['cases'])} cases, {total / 1e6:.2f} MB in {OUT}")


if __name__ == "__main__":
    main()
