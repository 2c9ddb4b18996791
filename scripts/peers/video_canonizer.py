"""zennit's ResNetBasicBlockCanonizer, for the basic blocks of video ResNets.

The residual sum relu(conv2(conv1(x)) + shortcut(x)) becomes a `zennit.layer.Sum` module, which
the composites' base map gives the Norm rule (relevance shared in proportion to the two summands).
"""
import torch
from zennit.canonizers import AttributeCanonizer
from zennit.layer import Sum


class VideoBasicBlockCanonizer(AttributeCanonizer):
    """Canonizes every module of `block_type`: torchvision's video BasicBlock, or the fixture
    models' copy of it (anything with conv1, conv2, downsample and relu)."""

    def __init__(self, block_type):
        def attribute_map(name, module):
            if isinstance(module, block_type):
                return {"forward": VideoBasicBlockCanonizer.forward.__get__(module), "canonizer_sum": Sum()}
            return None

        super().__init__(attribute_map)

    @staticmethod
    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        out = torch.stack([self.conv2(self.conv1(x)), residual], dim=-1)
        return self.relu(self.canonizer_sum(out))
