"""LEVIR-CD-style change-detection chips: `A/` (before), `B/` (after), `label/` (0/255) with matching names.

Reads PNG or GeoTIFF (uint8 RGB) tiles from one or more folders. Training samples are augmented:
random crop to the tile size, flips and 90-degree rotations, colour jitter drawn separately for
each epoch, and a small random shift between the epochs (real flights are misregistered by
0.2-0.8 m, a few pixels at the model's GSD).
"""
import os

import numpy as np
import torch
from PIL import Image

# Per-channel normalization in 0-255 pixel units: (pixel - MEAN) / STD (ImageNet statistics).
MEAN = (123.675, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)
SUFFIXES = ('.png', '.tif', '.tiff')
# Model inputs must be multiples of this (four stride-2 stages).
STRIDE = 16


def chip_names(folder):
    """Names of the chips present in all of `folder`'s A/, B/ and label/; error if any is unpaired."""
    parts = {}
    for part in ('A', 'B', 'label'):
        path = os.path.join(folder, part)
        if not os.path.isdir(path):
            raise SystemExit(f'{folder}: missing {part}/ (expected LEVIR-CD layout A/, B/, label/)')
        parts[part] = {n for n in os.listdir(path) if n.lower().endswith(SUFFIXES)}
    unpaired = parts['A'] ^ parts['B'] | parts['A'] ^ parts['label']
    if unpaired:
        raise SystemExit(f'{folder}: {len(unpaired)} chips lack a partner in A/, B/ or label/, e.g. {sorted(unpaired)[0]}')
    if not parts['A']:
        raise SystemExit(f'{folder}: no PNG or TIFF chips in A/')
    return sorted(parts['A'])


def read_rgb(path):
    """H x W x 3 uint8 (alpha and extra bands dropped)."""
    with Image.open(path) as im:
        return np.asarray(im.convert('RGB'))


def read_label(path):
    """H x W float32 0/1 change mask from a 0/255 (or 0/1) label."""
    with Image.open(path) as im:
        return (np.asarray(im.convert('L')) > 0).astype(np.float32)


def to_tensor(rgb):
    """H x W x 3 float (0-255) → normalized 3 x H x W float32 tensor."""
    x = (rgb.astype(np.float32) - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def jitter_colour(rgb, rng):
    """Random brightness, contrast, saturation and hue change of one epoch (float 0-255 out)."""
    x = rgb.astype(np.float32)
    x *= rng.uniform(0.75, 1.25)
    mean = x.mean()
    x = (x - mean) * rng.uniform(0.75, 1.25) + mean
    grey = x @ np.float32([0.299, 0.587, 0.114])
    x = grey[..., None] + (x - grey[..., None]) * rng.uniform(0.7, 1.3)
    # Hue: rotate the chroma plane of YIQ.
    to_yiq = np.float32([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    a = rng.uniform(-0.1, 0.1) * np.pi
    rot = np.float32([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    x = x @ (np.linalg.inv(to_yiq) @ rot @ to_yiq).T.astype(np.float32)
    return np.clip(x, 0, 255)


def shift(rgb, dy, dx):
    """`rgb` moved by (dy, dx) pixels, borders filled by reflection."""
    m = max(abs(dy), abs(dx))
    padded = np.pad(rgb, ((m, m), (m, m), (0, 0)), mode='reflect')
    h, w = rgb.shape[:2]
    return padded[m - dy:m - dy + h, m - dx:m - dx + w]


class ChangeChips(torch.utils.data.Dataset):
    """Chips of several LEVIR-CD-style folders; `augment` for training, else centre-cropped to a multiple of 16."""

    def __init__(self, folders, tile, augment, max_shift=4, seed=0):
        self.items = [(f, n) for f in folders for n in chip_names(f)]
        self.tile, self.augment, self.max_shift = tile, augment, max_shift
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        folder, name = self.items[i]
        a = read_rgb(os.path.join(folder, 'A', name))
        b = read_rgb(os.path.join(folder, 'B', name))
        label = read_label(os.path.join(folder, 'label', name))
        if a.shape != b.shape or a.shape[:2] != label.shape:
            raise SystemExit(f'{folder}: {name} differs in size between A/, B/ and label/')
        a, b, label = self.augmented(a, b, label) if self.augment else self.cropped(a, b, label)
        return to_tensor(a), to_tensor(b), torch.from_numpy(np.ascontiguousarray(label))[None]

    def cropped(self, a, b, label):
        """Centre crop to the largest multiple of 16 (validation runs on whole chips)."""
        h, w = (s - s % STRIDE for s in label.shape)
        y, x = (label.shape[0] - h) // 2, (label.shape[1] - w) // 2
        return a[y:y + h, x:x + w], b[y:y + h, x:x + w], label[y:y + h, x:x + w]

    def augmented(self, a, b, label):
        """Random crop, flip, rotation, per-epoch colour jitter and a small shift of A against B."""
        rng, t = self.rng, self.tile
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
        return jitter_colour(a, rng), jitter_colour(b, rng), label
