"""Compact Siamese encoder-decoders for bi-temporal RGB change detection.

Both epochs go through one shared encoder; at every scale the two feature maps are fused by their
absolute difference (FC-Siam-diff style), and a light UNet-like decoder turns the fused pyramid
into a change logit map at the input's resolution. `CANDIDATES` holds the sizes measured by
bench_torch.py / bench/model-throughput.ts; `ARCHITECTURE` is the one shipped.
"""
import torch
from torch import nn
import torch.nn.functional as F


def conv_bn_relu(c_in, c_out, stride=1):
    """3x3 convolution, batch norm, ReLU."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


def separable_bn_relu(c_in, c_out, stride=1):
    """Depthwise 3x3 then pointwise 1x1 convolution, each with batch norm and ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_in, 3, stride, 1, groups=c_in, bias=False), nn.BatchNorm2d(c_in), nn.ReLU(inplace=True),
        nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
    )


BLOCKS = {'plain': conv_bn_relu, 'separable': separable_bn_relu}


class SiamDiffUNet(nn.Module):
    """Shared encoder with strided stages `widths` (1/2 .. 1/2^n), |A-B| fusion per stage, UNet decoder."""

    def __init__(self, widths=(16, 32, 64, 96), block='plain'):
        super().__init__()
        conv = BLOCKS[block]
        self.widths = tuple(widths)
        self.block = block
        # The full-resolution stem is always a plain conv: a 3-channel depthwise conv is useless.
        stages, c_in = [], 3
        for i, w in enumerate(widths):
            first = conv_bn_relu(c_in, w, 2) if i == 0 else conv(c_in, w, 2)
            stages.append(nn.Sequential(first, conv(w, w)))
            c_in = w
        self.encoder = nn.ModuleList(stages)
        self.decoder = nn.ModuleList(
            nn.Sequential(conv(widths[i + 1] + widths[i], widths[i]), conv(widths[i], widths[i]))
            for i in reversed(range(len(widths) - 1))
        )
        self.head = nn.Conv2d(widths[0], 1, 1)

    def encode(self, x):
        """Feature maps of one epoch at every stage, finest first."""
        features = []
        for stage in self.encoder:
            x = stage(x)
            features.append(x)
        return features

    def forward(self, before, after):
        """Change logits N x 1 x H x W for normalized NCHW RGB tiles (H, W multiples of 2^stages)."""
        fused = [torch.abs(a - b) for a, b in zip(self.encode(before), self.encode(after))]
        x = fused[-1]
        for block, skip in zip(self.decoder, reversed(fused[:-1])):
            x = F.interpolate(x, size=skip.shape[-2:], mode='bilinear', align_corners=False)
            x = block(torch.cat([x, skip], 1))
        return F.interpolate(self.head(x), size=before.shape[-2:], mode='bilinear', align_corners=False)


class ChangeProbability(nn.Module):
    """Wraps a logit model so the exported graph outputs probabilities 0-1."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, before, after):
        return torch.sigmoid(self.model(before, after))


CANDIDATES = {
    'siamdiff-plain-32': dict(widths=(32, 64, 128, 192), block='plain'),
    'siamdiff-plain-24': dict(widths=(24, 48, 96, 128), block='plain'),
    'siamdiff-plain-16': dict(widths=(16, 32, 64, 96), block='plain'),
    'siamdiff-plain-12': dict(widths=(12, 24, 48, 64), block='plain'),
    'siamdiff-sep-24': dict(widths=(24, 48, 96, 128), block='separable'),
    'siamdiff-sep-16': dict(widths=(16, 32, 64, 96), block='separable'),
}
ARCHITECTURE = 'siamdiff-plain-24'


def build(name=ARCHITECTURE):
    """A fresh model of the named candidate architecture."""
    return SiamDiffUNet(**CANDIDATES[name])


def count_flops(model, tile=256):
    """FLOPs (2 per multiply-add) of the convolutions for one tile pair, counted with forward hooks."""
    total = 0

    def hook(module, _inputs, output):
        nonlocal total
        k = module.kernel_size[0] * module.kernel_size[1]
        total += 2 * output.numel() * (module.in_channels // module.groups) * k

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        x = torch.zeros(1, 3, tile, tile)
        model.eval()(x, x)
    for h in handles:
        h.remove()
    return total


def count_parameters(model):
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
