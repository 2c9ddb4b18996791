"""The parity models in plain torch, with torchvision's / st-gcn's / the seeds' state_dict names.

Each class mirrors one of STExplain's built-in architectures (Sources/STModels) at a small width, so
Swift loads the exported safetensors as the built-in of the same name. Every ReLU is its own
non-inplace module (Captum's guided backprop and deconvnet hook ReLU modules; pytorch-grad-cam and
zennit hook module outputs), which changes nothing in the forward pass or the state_dict.
"""
import numpy as np
import torch
from torch import nn


def conv_bn_relu(conv, channels, dims, relu=True):
    bn = nn.BatchNorm3d(channels) if dims == 3 else nn.BatchNorm2d(channels)
    return nn.Sequential(conv, bn, nn.ReLU()) if relu else nn.Sequential(conv, bn)


class VideoBasicBlock(nn.Module):
    """torchvision.models.video.resnet.BasicBlock with Conv3DSimple: relu(conv2(conv1(x)) + shortcut(x))."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = conv_bn_relu(nn.Conv3d(inplanes, planes, 3, stride=stride, padding=1, bias=False), planes, 3)
        self.conv2 = conv_bn_relu(nn.Conv3d(planes, planes, 3, padding=1, bias=False), planes, 3, relu=False)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = conv_bn_relu(nn.Conv3d(inplanes, planes, 1, stride=stride, bias=False), planes, 3,
                                           relu=False)

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv2(self.conv1(x)) + residual)


class R3D(nn.Module):
    """torchvision's r3d_18 (BasicStem, four stages of two blocks) with every width times `width`."""

    def __init__(self, classes, width):
        super().__init__()
        widths = [round(c * width) for c in (64, 128, 256, 512)]
        self.stem = conv_bn_relu(nn.Conv3d(3, widths[0], (3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
                                 widths[0], 3)
        inplanes = widths[0]
        for stage, planes in enumerate(widths):
            stride = 1 if stage == 0 else 2
            setattr(self, f"layer{stage + 1}", nn.Sequential(VideoBasicBlock(inplanes, planes, stride),
                                                             VideoBasicBlock(planes, planes)))
            inplanes = planes
        self.avgpool = nn.AdaptiveAvgPool3d((1, 1, 1))
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x):
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))
        return self.fc(self.avgpool(x).flatten(1))


class C3D(nn.Module):
    """jfzhang95/pytorch-video-recognition's C3D (seed 002) with every width times `width`."""

    LAYERS = [("conv1", 64, "pool1", (1, 2, 2), (0, 0, 0)), ("conv2", 128, "pool2", (2, 2, 2), (0, 0, 0)),
              ("conv3a", 256, None, None, None), ("conv3b", 256, "pool3", (2, 2, 2), (0, 0, 0)),
              ("conv4a", 512, None, None, None), ("conv4b", 512, "pool4", (2, 2, 2), (0, 0, 0)),
              ("conv5a", 512, None, None, None), ("conv5b", 512, "pool5", (2, 2, 2), (0, 1, 1))]

    def __init__(self, classes, width, input_shape):
        super().__init__()
        channels = 3
        for name, out, pool, kernel, padding in self.LAYERS:
            out = round(out * width)
            setattr(self, name, nn.Conv3d(channels, out, 3, padding=1))
            setattr(self, f"{name}_relu", nn.ReLU())
            if pool:
                setattr(self, pool, nn.MaxPool3d(kernel, stride=kernel, padding=padding))
            channels = out
        with torch.no_grad():
            flat = self.features(torch.zeros(1, *input_shape[1:])).shape[1]
        hidden = round(4096 * width)
        self.fc6 = nn.Linear(flat, hidden)
        self.fc6_relu = nn.ReLU()
        self.fc7 = nn.Linear(hidden, hidden)
        self.fc7_relu = nn.ReLU()
        self.fc8 = nn.Linear(hidden, classes)
        self.dropout = nn.Dropout(0.5)

    def features(self, x):
        for name, _, pool, _, _ in self.LAYERS:
            x = getattr(self, f"{name}_relu")(getattr(self, name)(x))
            if pool:
                x = getattr(self, pool)(x)
        return x.flatten(1)

    def forward(self, x):
        x = self.dropout(self.fc6_relu(self.fc6(self.features(x))))
        x = self.dropout(self.fc7_relu(self.fc7(x)))
        return self.fc8(x)


def conv_stages(channels, stage_channels, dims):
    """SmallCAMNet's `features`: per stage Conv(3, pad 1, no bias) → BN → ReLU, MaxPool(2) between stages."""
    conv, pool = (nn.Conv3d, nn.MaxPool3d) if dims == 3 else (nn.Conv2d, nn.MaxPool2d)
    layers = []
    for stage, out in enumerate(stage_channels):
        if stage > 0:
            layers.append(pool(2))
        layers += list(conv_bn_relu(conv(channels, out, 3, padding=1, bias=False), out, dims))
        channels = out
    return nn.Sequential(*layers)


class SmallCAMNet(nn.Module):
    """Sources/STModels/SmallCAMNet.swift: features → global average pool → classifier."""

    def __init__(self, classes, width, dims):
        super().__init__()
        stages = [round(c * width) for c in (32, 64, 128)]
        self.features = conv_stages(3, stages, dims)
        self.avgpool = nn.AdaptiveAvgPool3d(1) if dims == 3 else nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(stages[-1], classes)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


class TemporalAttention(nn.Module):
    def __init__(self, hidden, size):
        super().__init__()
        self.W = nn.Linear(hidden, size)
        self.v = nn.Linear(size, 1, bias=False)

    def forward(self, h):
        weights = torch.softmax(self.v(torch.tanh(self.W(h))).squeeze(-1), dim=1)
        return torch.bmm(weights.unsqueeze(1), h).squeeze(1)


class CNNLSTM(nn.Module):
    """Sources/STModels/CNNLSTM.swift with the plain backbone and temporal attention."""

    def __init__(self, classes, width, hidden, attention_size):
        super().__init__()
        stages = [round(c * width) for c in (32, 64, 128)]
        self.backbone = conv_stages(3, stages, 2)
        self.avgpool = nn.AdaptiveAvgPool2d(4)
        self.lstm = nn.LSTM(stages[-1] * 16, hidden, batch_first=True)
        self.attention = TemporalAttention(hidden, attention_size)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        n, c, t, h, w = x.shape
        frames = x.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
        features = self.avgpool(self.backbone(frames)).flatten(1).view(n, t, -1)
        states, _ = self.lstm(features)
        return self.fc(self.attention(states))


NTU_EDGES = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9), (11, 10), (12, 11),
             (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (22, 23), (23, 8), (24, 25),
             (25, 12)]


def ntu_spatial_adjacency():
    """st-gcn's `Graph(layout='ntu-rgb+d', strategy='spatial')`.A (max_hop 1, dilation 1), K × 25 × 25."""
    joints, center = 25, 21 - 1
    link = np.zeros((joints, joints))
    for i, j in NTU_EDGES:
        link[i - 1, j - 1] = link[j - 1, i - 1] = 1
    hop = np.full((joints, joints), np.inf)
    reach = [np.linalg.matrix_power(link, d) > 0 for d in range(2)]
    for d in (1, 0):
        hop[reach[d]] = d
    adjacency = (hop <= 1).astype(float)
    degree = adjacency.sum(0)
    normalized = adjacency @ np.diag([1 / d if d > 0 else 0 for d in degree])
    subsets = []
    for h in (0, 1):
        root, close, further = (np.zeros((joints, joints)) for _ in range(3))
        for i in range(joints):
            for j in range(joints):
                if hop[j, i] == h:
                    if hop[j, center] == hop[i, center]:
                        root[j, i] = normalized[j, i]
                    elif hop[j, center] > hop[i, center]:
                        close[j, i] = normalized[j, i]
                    else:
                        further[j, i] = normalized[j, i]
        subsets += [root] if h == 0 else [root + close, further]
    return torch.tensor(np.stack(subsets), dtype=torch.float32)


class GraphConvolution(nn.Module):
    def __init__(self, inplanes, planes, subsets):
        super().__init__()
        self.subsets = subsets
        self.conv = nn.Conv2d(inplanes, planes * subsets, 1)

    def forward(self, x, adjacency):
        x = self.conv(x)
        n, kc, t, v = x.shape
        return torch.einsum("nkctv,kvw->nctw", x.view(n, self.subsets, kc // self.subsets, t, v), adjacency)


class STGCNBlock(nn.Module):
    def __init__(self, inplanes, planes, subsets, stride, residual, dropout):
        super().__init__()
        self.gcn = GraphConvolution(inplanes, planes, subsets)
        self.tcn = nn.Sequential(nn.BatchNorm2d(planes), nn.ReLU(), nn.Conv2d(planes, planes, (9, 1), (stride, 1), (4, 0)),
                                 nn.BatchNorm2d(planes), nn.Dropout(dropout))
        if not residual:
            self.residual = None
        elif inplanes == planes and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=(stride, 1)), nn.BatchNorm2d(planes))
        self.relu = nn.ReLU()

    def forward(self, x, adjacency):
        out = self.tcn(self.gcn(x, adjacency))
        return self.relu(out if self.residual is None else out + self.residual(x))


class STGCN(nn.Module):
    """yysijie/st-gcn's `net.st_gcn.Model` (NTU layout, spatial strategy, edge importance) times `width`."""

    BLOCKS = [(64, 1), (64, 1), (64, 1), (64, 1), (128, 2), (128, 1), (128, 1), (256, 2), (256, 1), (256, 1)]

    def __init__(self, classes, width, channels=3):
        super().__init__()
        self.register_buffer("A", ntu_spatial_adjacency())
        subsets, joints = self.A.shape[0], self.A.shape[1]
        self.data_bn = nn.BatchNorm1d(channels * joints)
        blocks, inplanes = [], channels
        for index, (planes, stride) in enumerate(self.BLOCKS):
            planes = round(planes * width)
            blocks.append(STGCNBlock(inplanes, planes, subsets, stride, residual=index > 0, dropout=0.5 if index else 0))
            inplanes = planes
        self.st_gcn_networks = nn.ModuleList(blocks)
        self.edge_importance = nn.ParameterList([nn.Parameter(torch.ones(self.A.shape)) for _ in blocks])
        self.fcn = nn.Conv2d(inplanes, classes, 1)

    def forward(self, x):
        n, c, t, v, m = x.shape
        x = self.data_bn(x.permute(0, 4, 3, 1, 2).contiguous().view(n * m, v * c, t))
        x = x.view(n, m, v, c, t).permute(0, 1, 3, 4, 2).contiguous().view(n * m, c, t, v)
        for block, importance in zip(self.st_gcn_networks, self.edge_importance):
            x = block(x, self.A * importance)
        x = nn.functional.avg_pool2d(x, x.shape[2:]).view(n, m, -1, 1, 1).mean(dim=1)
        return self.fcn(x).view(n, -1)
