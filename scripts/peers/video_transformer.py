"""STExplain's built-in video transformer (Sources/STModels/VideoTransformer.swift) in PyTorch.

The same computation and the same state_dict names (timm's and facebookresearch/TimeSformer's:
`patch_embed.proj`, `cls_token`, `pos_embed`, `blocks.i.norm1`, `blocks.i.attn.qkv`, …, `norm`,
`head`), so a `model.safetensors` written by `stexplain train --model video_transformer` loads
with `load_state_dict`, and weights trained here load into STExplain:

    spec = json.loads(safetensors.safe_open(path, "pt").metadata()["stexplain.model"])
    model = VideoTransformer.from_spec(spec)
    model.load_state_dict(safetensors.torch.load_file(path))

Input (N, C, T, H, W); tokens in (t, h, w) row-major order after one class token; attention
`joint` (all tokens attend to each other) or `divided` (TimeSformer: per block, time among the T'
tokens of each position, then space among the class token and the H'W' tokens of each frame).
"""
import math

import torch
from torch import nn

PUBLISHED_WIDTH, PUBLISHED_DEPTH, PUBLISHED_HEADS = 768, 12, 12
PUBLISHED_TUBELET = (2, 16, 16)
LAYER_NORM_EPSILON = 1e-6


def scaled(size, multiplier):
    """`NetworkBuilder.scaled`: size · multiplier rounded half away from zero, at least 1."""
    return max(1, int(math.floor(size * multiplier + 0.5)))


class Attention(nn.Module):
    """Multi-head self-attention: softmax((q/√d)·kᵀ)·v with a fused q/k/v projection."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x):
        batch, tokens, width = x.shape
        head_width = width // self.heads
        q, k, v = self.qkv(x).reshape(batch, tokens, 3, self.heads, head_width).permute(2, 0, 3, 1, 4)
        weights = torch.softmax((q / math.sqrt(head_width)) @ k.transpose(-2, -1), dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(batch, tokens, width))


class Mlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """A pre-norm block; `grid` (T', H', W') is needed by divided attention only."""

    def __init__(self, width, heads, mlp_ratio, grid, divided):
        super().__init__()
        self.grid = grid
        self.divided = divided
        if divided:
            self.temporal_norm1 = nn.LayerNorm(width, eps=LAYER_NORM_EPSILON)
            self.temporal_attn = Attention(width, heads)
            self.temporal_fc = nn.Linear(width, width)
        self.norm1 = nn.LayerNorm(width, eps=LAYER_NORM_EPSILON)
        self.attn = Attention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=LAYER_NORM_EPSILON)
        self.mlp = Mlp(width, mlp_ratio * width)

    def forward(self, x):
        x = self.divided_attention(x) if self.divided else x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))

    def divided_attention(self, x):
        frames, positions = self.grid[0], self.grid[1] * self.grid[2]
        samples, _, width = x.shape
        cls, patches = x[:, :1], x[:, 1:]
        # Time: the T' tokens of each (sample, position) form one sequence.
        by_position = patches.reshape(samples, frames, positions, width).transpose(1, 2)
        temporal = self.temporal_attn(self.temporal_norm1(by_position.reshape(samples * positions, frames, width)))
        temporal = temporal.reshape(samples, positions, frames, width).transpose(1, 2)
        patches = patches + self.temporal_fc(temporal.reshape(samples, frames * positions, width))
        # Space: the class token and the H'W' tokens of each (sample, frame) form one sequence.
        cls_per_frame = cls.expand(samples, frames, width).reshape(samples * frames, 1, width)
        spatial = torch.cat((cls_per_frame, patches.reshape(samples * frames, positions, width)), dim=1)
        spatial = self.attn(self.norm1(spatial))
        cls_update = spatial[:, :1].reshape(samples, frames, width).mean(dim=1, keepdim=True)
        patch_update = spatial[:, 1:].reshape(samples, frames * positions, width)
        return torch.cat((cls, patches), dim=1) + torch.cat((cls_update, patch_update), dim=1)


class PatchEmbed(nn.Module):
    def __init__(self, channels, width, tubelet):
        super().__init__()
        self.proj = nn.Conv3d(channels, width, kernel_size=tubelet, stride=tubelet)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VideoTransformer(nn.Module):
    def __init__(self, classes, width, depth, heads, tubelet, input_shape, attention="joint", mlp_ratio=4):
        super().__init__()
        channels, sizes = input_shape[1], input_shape[2:]
        grid = [size // step for size, step in zip(sizes, tubelet)]
        cells = grid[0] * grid[1] * grid[2]
        self.patch_embed = PatchEmbed(channels, width, tuple(tubelet))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + cells, width))
        self.blocks = nn.ModuleList([Block(width, heads, mlp_ratio, grid, attention == "divided") for _ in range(depth)])
        self.norm = nn.LayerNorm(width, eps=LAYER_NORM_EPSILON)
        self.head = nn.Linear(width, classes)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])

    @classmethod
    def from_spec(cls, spec):
        """The model a `stexplain.model` ModelSpec (decoded JSON) describes, unset sizes as ModelSpec fills them."""
        assert spec["architecture"] == "video_transformer", spec
        multiplier = spec.get("widthMultiplier", 1)
        return cls(classes=spec["classes"], width=scaled(PUBLISHED_WIDTH, multiplier),
                   depth=spec.get("depth", PUBLISHED_DEPTH), heads=spec.get("heads", scaled(PUBLISHED_HEADS, multiplier)),
                   tubelet=spec.get("tubelet", PUBLISHED_TUBELET), input_shape=spec["inputShape"],
                   attention=spec.get("attention", "joint"))
