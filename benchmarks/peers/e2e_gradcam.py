#!/usr/bin/env python3
"""End to end as a user runs it: start Python, import the peer, build r3d_18, load safetensors
weights, read a clip (.npy), explain it with Grad-CAM at layer4 for the top class, write map.npy.

    e2e_gradcam.py {captum,pytorch-grad-cam} WEIGHTS CLIP OUT_DIR --threads 2
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "peers"))
import peers_imports  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from torchvision.models.video import r3d_18  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("peer", choices=["captum", "pytorch-grad-cam"])
parser.add_argument("weights")
parser.add_argument("clip")
parser.add_argument("out")
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
torch.set_num_threads(args.threads)
model = r3d_18(num_classes=400)
model.load_state_dict(load_file(args.weights))
model.eval()
x = torch.from_numpy(np.load(args.clip))
with torch.no_grad():
    target = int(model(x)[0].argmax())
if args.peer == "captum":
    from captum.attr import LayerGradCam
    cam = LayerGradCam(model, model.layer4).attribute(x, target=target, relu_attributions=True)[:, 0].detach().numpy()
else:
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    with GradCAM(model=model, target_layers=[model.layer4]) as gradcam:
        cam = gradcam(input_tensor=x, targets=[ClassifierOutputTarget(target)])
os.makedirs(args.out, exist_ok=True)
np.save(os.path.join(args.out, "map.npy"), cam)
