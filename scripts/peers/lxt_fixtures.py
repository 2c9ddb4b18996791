"""LRP references from LXT (LRP eXplains Transformers, `pip install lxt`) for the parity tests.

- tiny_videomae_attnlrp_lxt.npy: AttnLRP on the tiny Hugging Face VideoMAE of
  scripts/onnx/export-fixtures.py (same seed; its logits are checked against the committed
  Tests/Fixtures/onnx/zoo/tiny_videomae_logits.npy). LXT's efficient rules, wired as its own
  Hugging Face patches are: `layer_norm_forward` (σ held fixed) on every LayerNorm,
  `non_linear_forward` (identity rule) on GELU, and `wrap_attention_forward` (the uniform rule:
  query and key gradients ÷ 4, value ÷ 2, plain softmax gradient = the softmax rule) on
  VideoMAE's eager attention. Relevance = input × gradient of the top logit.
- tiny_vit_cplrp_lxt.npy: LXT's own map for torchvision's VisionTransformer (`cp_LRP`: the same
  LayerNorm and GELU rules, no gradient through the softmax) on the tiny torchvision ViT fixture.

Both are saved as maps: relevance summed over colour channels, (1, T, H, W) and (1, H, W).

    .venv-peers/bin/python scripts/peers/lxt_fixtures.py
"""
import os

import numpy as np
import torch

from attention_fixtures import OUT, ZOO, load_exporter


def import_lxt():
    """Imports lxt.efficient beside transformers 5: lxt 2.1's model files import a helper
    (find_pruneable_heads_and_indices) transformers 5 removed; none of the rules used here needs
    it, so a stand-in that refuses to run is put in its place first."""
    import transformers.pytorch_utils as utils
    if not hasattr(utils, "find_pruneable_heads_and_indices"):
        def missing(*args, **kwargs):
            raise NotImplementedError("removed in transformers 5")
        utils.find_pruneable_heads_and_indices = missing
    import lxt.efficient  # noqa: F401


def relevance(model, x):
    """Input × gradient of the top logit, the input as given."""
    x = x.clone().requires_grad_(True)
    logits = model(x)
    logits[0, logits[0].argmax()].backward()
    return (x * x.grad).detach().numpy(), logits.detach().numpy()


def rebuilt(exporter, build, name):
    torch.manual_seed(0)
    model = build()
    exporter.enliven(model)
    model.eval()
    x = torch.from_numpy(np.load(os.path.join(ZOO, f"{name}_input.npy")))
    with torch.no_grad():
        assert np.allclose(model(x).numpy(), np.load(os.path.join(ZOO, f"{name}_logits.npy")), rtol=1e-4, atol=1e-5)
    return model, x


def patch_videomae_attnlrp(model):
    """LXT's AttnLRP rules on a Hugging Face VideoMAE (`model.model` the classifier), wired as LXT
    wires Hugging Face models: LayerNorm with σ held fixed, GELU's identity rule, and the uniform
    rule at the eager attention's query, key and value."""
    from functools import partial
    from lxt.efficient.patches import layer_norm_forward, non_linear_forward, patch_method, wrap_attention_forward
    from transformers.activations import GELUActivation
    from transformers.models.videomae import modeling_videomae

    model.model.config._attn_implementation = "eager"
    patch_method(layer_norm_forward, torch.nn.LayerNorm)
    partial(patch_method, non_linear_forward, keep_original=True)(GELUActivation)
    modeling_videomae.eager_attention_forward = wrap_attention_forward(modeling_videomae.eager_attention_forward)


def videomae_attnlrp(exporter):
    model, x = rebuilt(exporter, exporter.tiny_videomae, "tiny_videomae")
    patch_videomae_attnlrp(model)
    r, logits = relevance(model, x)  # (1, T, C, H, W)
    print(f"tiny_videomae AttnLRP: Σ R = {r.sum():.6f}, top logit {logits.max():.6f}")
    return r.sum(axis=2)


def vit_cp_lrp(exporter):
    from lxt.efficient import monkey_patch
    from torchvision.models import vision_transformer

    monkey_patch(vision_transformer)
    model, x = rebuilt(exporter, exporter.tiny_vit, "tiny_vit")
    r, logits = relevance(model, x)  # (1, C, H, W)
    print(f"tiny_vit CP-LRP: Σ R = {r.sum():.6f}, top logit {logits.max():.6f}")
    return r.sum(axis=1)


def main():
    exporter = load_exporter()
    exporter.import_torchvision()
    import_lxt()
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "tiny_videomae_attnlrp_lxt.npy"), videomae_attnlrp(exporter).astype(np.float32))
    np.save(os.path.join(OUT, "tiny_vit_cplrp_lxt.npy"), vit_cp_lrp(exporter).astype(np.float32))


if __name__ == "__main__":
    main()
