#!/usr/bin/env python3
"""The end-to-end inputs: r3d_18 random weights (seed 1) as safetensors and one clip (seed 2) as .npy."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "peers"))
import peers_imports  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from torchvision.models.video import r3d_18  # noqa: E402

out, shape = sys.argv[1], [int(v) for v in sys.argv[2].split(",")]
os.makedirs(out, exist_ok=True)
torch.manual_seed(1)
model = r3d_18(num_classes=400)
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(out, "r3d_18.safetensors"))
np.save(os.path.join(out, "clip.npy"), torch.randn(*shape, generator=torch.Generator().manual_seed(2)).numpy())
