"""LEVIR-CD-style change-detection chips: `A/` (before), `B/` (after), `label/` (0/255) with matching names.

Reads PNG, GeoTIFF or JPEG (uint8 RGB; labels PNG or GeoTIFF) tiles from one or more folders,
decoded once and kept in memory. Training samples are augmented per sample on the CPU (random crop
to the tile size, flips and 90-degree rotations, a small random shift between the epochs: real
flights are misregistered by 0.2-0.8 m, a few pixels at the model's GSD) and per batch on the
training device (`jitter_colour`: brightness, contrast, saturation and hue drawn for each epoch).
"""
import math
import os

import numpy as np
import torch
from PIL import Image

# Per-channel normalization in 0-255 pixel units: (pixel - MEAN) / STD (ImageNet statistics).
MEAN = (123.675, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)
IMAGE_SUFFIXES = ('.png', '.tif', '.tiff', '.jpg', '.jpeg')
# Labels must be lossless: a JPEG mask has grey edges and speckle.
LABEL_SUFFIXES = ('.png', '.tif', '.tiff')
# Model inputs must be multiples of this (four stride-2 stages).
STRIDE = 16


def chip_files(folder):
    """(A, B, label) file names of the chips in `folder`, paired by name without suffix; error if any is unpaired."""
    parts = {}
    for part, suffixes in (('A', IMAGE_SUFFIXES), ('B', IMAGE_SUFFIXES), ('label', LABEL_SUFFIXES)):
        path = os.path.join(folder, part)
        if not os.path.isdir(path):
            raise SystemExit(f'{folder}: missing {part}/ (expected LEVIR-CD layout A/, B/, label/)')
        parts[part] = {os.path.splitext(n)[0]: n for n in os.listdir(path) if n.lower().endswith(suffixes)}
    stems = [set(p) for p in parts.values()]
    unpaired = (stems[0] ^ stems[1]) | (stems[0] ^ stems[2])
    if unpaired:
        raise SystemExit(f'{folder}: {len(unpaired)} chips lack a partner in A/, B/ or label/ (PNG/TIFF labels), e.g. {sorted(unpaired)[0]}')
    if not stems[0]:
        raise SystemExit(f'{folder}: no PNG, TIFF or JPEG chips in A/')
    return [(parts['A'][s], parts['B'][s], parts['label'][s]) for s in sorted(stems[0])]


def read_rgb(path):
    """H x W x 3 uint8 (alpha and extra bands dropped)."""
    with Image.open(path) as im:
        return np.asarray(im.convert('RGB'))


def read_label(path):
    """H x W float32 0/1 change mask from a 0/255 (or 0/1) label."""
    with Image.open(path) as im:
        return (np.asarray(im.convert('L')) > 0).astype(np.float32)


def normalize(x):
    """N x 3 x H x W pixels (0-255, any device) → normalized float32 model input."""
    mean = torch.tensor(MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=x.device).view(1, 3, 1, 1)
    return (x.float() - mean) / std


# RGB → YIQ; hue is a rotation of the I/Q chroma plane.
TO_YIQ = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])


def jitter_colour(x):
    """Random brightness, contrast, saturation and hue change per tile of an N x 3 x H x W batch of
    0-255 pixels (float 0-255 out), drawn from torch's random state on the batch's device."""
    n, device = x.shape[0], x.device

    def uniform(low, high):
        return torch.empty(n, 1, 1, 1, device=device).uniform_(low, high)

    x = x.float() * uniform(0.75, 1.25)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * uniform(0.75, 1.25) + mean
    grey = (x * torch.tensor([0.299, 0.587, 0.114], device=device).view(1, 3, 1, 1)).sum(1, keepdim=True)
    x = grey + (x - grey) * uniform(0.7, 1.3)
    angle = uniform(-0.1, 0.1).view(n) * math.pi
    cos, sin = torch.cos(angle), torch.sin(angle)
    rotation = torch.zeros(n, 3, 3, device=device)
    rotation[:, 0, 0] = 1
    rotation[:, 1, 1], rotation[:, 1, 2], rotation[:, 2, 1], rotation[:, 2, 2] = cos, -sin, sin, cos
    to_yiq = TO_YIQ.to(device)
    matrix = torch.linalg.inv(to_yiq) @ rotation @ to_yiq
    return torch.einsum('nij,njhw->nihw', matrix, x).clamp(0, 255)


def match_before_to_after(a, b):
    """The before tiles of an N x 3 x H x W batch (0-255) with each channel given the mean and
    spread of the after tile's, over the pixels with data in both (pure black is no data), as the
    manifest's radiometry "before_matched_to_after" asks and src/model/preprocess.ts does at run
    time; a flat before tile keeps its contrast, a tile with under 2 such pixels stays as it is."""
    a, b = a.float(), b.float()
    has_a, has_b = a.sum(1, keepdim=True) > 0, b.sum(1, keepdim=True) > 0
    both = (has_a & has_b).float()
    n = both.sum((2, 3), keepdim=True)

    def mean_spread(x):
        mean = (x * both).sum((2, 3), keepdim=True) / n.clamp(min=1)
        squares = (x * x * both).sum((2, 3), keepdim=True) / n.clamp(min=1)
        return mean, (squares - mean * mean).clamp(min=0).sqrt()

    (mean_a, spread_a), (mean_b, spread_b) = mean_spread(a), mean_spread(b)
    gain = torch.where(spread_a >= 1, spread_b / spread_a.clamp(min=1), torch.ones_like(spread_a))
    matched = ((a - mean_a) * gain + mean_b).round().clamp(0, 255)
    return torch.where(has_a & (n >= 2), matched, a)


def shift(rgb, dy, dx):
    """`rgb` moved by (dy, dx) pixels, borders filled by reflection."""
    m = max(abs(dy), abs(dx))
    padded = np.pad(rgb, ((m, m), (m, m), (0, 0)), mode='reflect')
    h, w = rgb.shape[:2]
    return padded[m - dy:m - dy + h, m - dx:m - dx + w]


def to_chw(rgb):
    """H x W x 3 uint8 → 3 x H x W uint8 tensor."""
    return torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))


class ChangeChips(torch.utils.data.Dataset):
    """Chips of several LEVIR-CD-style folders as uint8 A, B and float 0/1 label tensors;
    `augment` for training, else centre-cropped to a multiple of 16."""

    def __init__(self, folders, tile, augment, max_shift=4):
        self.items = [(f, names) for f in folders for names in chip_files(f)]
        self.tile, self.augment, self.max_shift = tile, augment, max_shift
        self.chips = [self.read(folder, names) for folder, names in self.items]

    @staticmethod
    def read(folder, names):
        a, b, label = (reader(os.path.join(folder, part, name)) for reader, part, name in
                       zip((read_rgb, read_rgb, read_label), ('A', 'B', 'label'), names))
        if a.shape != b.shape or a.shape[:2] != label.shape:
            raise SystemExit(f'{folder}: {names[0]} differs in size between A/, B/ and label/')
        return a, b, label

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        a, b, label = self.augmented(*self.chips[i]) if self.augment else self.cropped(*self.chips[i])
        return to_chw(a), to_chw(b), torch.from_numpy(np.ascontiguousarray(label))[None]

    def cropped(self, a, b, label):
        """Centre crop to the largest multiple of 16 (validation runs on whole chips)."""
        h, w = (s - s % STRIDE for s in label.shape)
        y, x = (label.shape[0] - h) // 2, (label.shape[1] - w) // 2
        return a[y:y + h, x:x + w], b[y:y + h, x:x + w], label[y:y + h, x:x + w]

    def augmented(self, a, b, label):
        """Random crop, flip, rotation and a small shift of A against B."""
        # Drawn from torch's state, which DataLoader seeds differently in each worker and epoch.
        rng = np.random.default_rng(int(torch.randint(2 ** 62, ())))
        t = self.tile
        h, w = label.shape
        if h < t or w < t:
            raise SystemExit(f'chips must be at least {t}x{t} pixels, got {w}x{h}')
        y, x = rng.integers(0, h - t + 1), rng.integers(0, w - t + 1)
        a, b, label = a[y:y + t, x:x + t], b[y:y + t, x:x + t], label[y:y + t, x:x + t]
        # The label follows the after image (where new structures show), so the before image moves.
        a = shift(a, *rng.integers(-self.max_shift, self.max_shift + 1, size=2))
        k, flip = rng.integers(4), rng.integers(2)
        a, b, label = (np.rot90(v, k) for v in (a, b, label))
        if flip:
            a, b, label = (v[:, ::-1] for v in (a, b, label))
        return a, b, label
