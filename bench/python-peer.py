"""The detect job as a user of the common Python stack would write it, to compare zhiwei against.

rasterio windowed reads resampled to the model's GSD, the shipped model's PyTorch twin
(training/model.py with models/<name>.pt), height change, connected components (scipy.ndimage),
polygons (rasterio.features.shapes), GeoJSON. It co-registers nothing, fits no offset between the
DSMs beyond their median difference and writes no evidence; the candidate rule is zhiwei's in its simplest form: pixels whose
height changed by 2 m or more, regions of 4 m² or more, those under 15 m² only where the model
agrees (mean probability 0.25 or more). Prints one JSON line: candidates and seconds per step.

    /usr/bin/python3 bench/python-peer.py --before-ortho B.tif --after-ortho A.tif \\
        --before-dsm BD.tif --after-dsm AD.tif --out candidates.geojson [--threads 2]
"""
import argparse
import json
import os
import sys
import time

# OpenMP threads that spin while waiting slow everything down on shared cores; must precede torch.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.features import shapes
from rasterio.windows import from_bounds
from scipy import ndimage
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'training'))
import model as models  # noqa: E402

MIN_HEIGHT_CHANGE_M = 2.0
MIN_AREA_M2 = 4.0
CONFIRM_BELOW_M2 = 15.0
MIN_CONFIDENCE = 0.25
BATCH = 8


def load_model(name):
    """The shipped model's PyTorch twin and its manifest."""
    with open(os.path.join(ROOT, 'models', f'{name}.json')) as f:
        manifest = json.load(f)
    checkpoint = torch.load(os.path.join(ROOT, 'models', f'{name}.pt'), map_location='cpu')
    net = models.ChangeProbability(models.build(checkpoint['arch']))
    net.model.load_state_dict(checkpoint['state_dict'])
    return net.eval(), manifest


def tile_origins(size, tile, overlap):
    """Top-left offsets of overlapping tiles along one axis, the last flush with the end."""
    stride = tile - overlap
    origins = list(range(0, max(size - tile, 0) + 1, stride))
    if origins[-1] + tile < size:
        origins.append(size - tile)
    return origins


def read_tile(src, bounds, tile):
    """RGB of `bounds` resampled to tile x tile pixels (windowed read)."""
    window = from_bounds(*bounds, transform=src.transform)
    return src.read([1, 2, 3], window=window, out_shape=(3, tile, tile), resampling=Resampling.bilinear, boundless=True, fill_value=0)


def change_probability(before, after, net, manifest, transform, width, height):
    """Model probability on the grid, overlapping tiles averaged."""
    tile, overlap, gsd = manifest['tile_size'], manifest['overlap'], manifest['gsd_m']
    mean = torch.tensor(manifest['normalization']['mean']).view(1, 3, 1, 1)
    std = torch.tensor(manifest['normalization']['std']).view(1, 3, 1, 1)
    total = np.zeros((height, width), np.float32)
    count = np.zeros((height, width), np.float32)
    jobs = [(x, y) for y in tile_origins(height, tile, overlap) for x in tile_origins(width, tile, overlap)]
    for start in range(0, len(jobs), BATCH):
        batch = jobs[start:start + BATCH]
        pairs = []
        for x, y in batch:
            left, top = transform * (x, y)
            bounds = (left, top - tile * gsd, left + tile * gsd, top)
            pairs.append((read_tile(before, bounds, tile), read_tile(after, bounds, tile)))
        b = (torch.from_numpy(np.stack([p[0] for p in pairs])).float() - mean) / std
        a = (torch.from_numpy(np.stack([p[1] for p in pairs])).float() - mean) / std
        with torch.no_grad():
            prob = net(b, a)[:, 0].numpy()
        for (x, y), p in zip(batch, prob):
            total[y:y + tile, x:x + tile] += p
            count[y:y + tile, x:x + tile] += 1
    return total / np.maximum(count, 1)


def read_heights(path, bounds, width, height):
    """A DSM resampled onto the grid (NaN where it has no data)."""
    with rasterio.open(path) as src:
        window = from_bounds(*bounds, transform=src.transform)
        masked = src.read(1, window=window, out_shape=(height, width), resampling=Resampling.bilinear, boundless=True, masked=True)
    return masked.astype(np.float32).filled(np.nan)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ('--before-ortho', '--after-ortho', '--before-dsm', '--after-dsm', '--out'):
        p.add_argument(flag, required=True)
    p.add_argument('--model', default='zhiwei-cd-v1')
    p.add_argument('--threads', type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    seconds = {}

    def step(name, since):
        seconds[name] = round(time.perf_counter() - since, 3)
        return time.perf_counter()

    t = time.perf_counter()
    net, manifest = load_model(args.model)
    t = step('load_model', t)
    gsd = manifest['gsd_m']
    with rasterio.open(args.before_ortho) as before, rasterio.open(args.after_ortho) as after:
        bounds = after.bounds
        width, height = round((bounds.right - bounds.left) / gsd), round((bounds.top - bounds.bottom) / gsd)
        transform = rasterio.transform.from_origin(bounds.left, bounds.top, gsd, gsd)
        prob = change_probability(before, after, net, manifest, transform, width, height)
    t = step('read_and_infer', t)
    grid = (bounds.left, bounds.top - height * gsd, bounds.left + width * gsd, bounds.top)
    dh = read_heights(args.after_dsm, grid, width, height) - read_heights(args.before_dsm, grid, width, height)
    dh -= np.nanmedian(dh)  # the flights' DSMs seldom agree on the absolute height
    t = step('read_dsms', t)
    changed = np.abs(np.nan_to_num(dh)) >= MIN_HEIGHT_CHANGE_M
    labels, n = ndimage.label(changed)
    index = np.arange(1, n + 1)
    area = ndimage.sum(changed, labels, index) * gsd * gsd
    confidence = ndimage.mean(prob, labels, index)
    mean_dh = ndimage.mean(np.nan_to_num(dh), labels, index)
    keep = (area >= MIN_AREA_M2) & ((area >= CONFIRM_BELOW_M2) | (confidence >= MIN_CONFIDENCE))
    kept = np.zeros(n + 1, bool)
    kept[1:] = keep
    t = step('components', t)
    features = []
    regions = np.where(kept[labels], labels, 0).astype(np.int32)
    for geometry, label in shapes(regions, mask=regions > 0, transform=transform):
        i = int(label) - 1
        features.append({'type': 'Feature', 'geometry': geometry, 'properties': {
            'region': i + 1, 'area_m2': round(float(area[i]), 2), 'height_change_m': round(float(mean_dh[i]), 2), 'probability': round(float(confidence[i]), 3)}})
    crs = after.crs.to_string()
    with open(args.out, 'w') as f:
        json.dump({'type': 'FeatureCollection', 'crs': {'type': 'name', 'properties': {'name': crs}}, 'features': features}, f)
    step('polygons', t)
    print(json.dumps({'candidates': int(keep.sum()), 'polygons': len(features), 'grid': [width, height],
                      'seconds': round(time.perf_counter() - started, 3), 'steps_s': seconds}))


if __name__ == '__main__':
    main()
