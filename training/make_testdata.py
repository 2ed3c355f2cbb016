"""Writes the tiny ONNX models and fixtures of src/model/testdata/ (a few KB each, random weights).

    /usr/bin/python3 training/make_testdata.py

tiny-cd.onnx/.json/.agreement.json: a 2-stage Siamese model on 32x32 tiles that fits the contract;
one-input.onnx: a single input "x"; renamed-inputs.onnx: inputs "x1", "x2" instead of before/after.
"""
import json
import os

import numpy as np
import torch
from torch import nn

import dataset
import export
from model import ChangeProbability, SiamDiffUNet

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'src', 'model', 'testdata')
TILE = 32


class OneInput(nn.Module):
    """A single-epoch model: not a change model."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 1, 3, padding=1)

    def forward(self, x):
        return torch.sigmoid(self.conv(x))


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    net = SiamDiffUNet(widths=(4, 8), block='plain').eval()
    export.export_onnx(net, os.path.join(OUT, 'tiny-cd.onnx'), TILE)
    before = rng.integers(0, 256, (TILE, TILE, 3), dtype=np.uint8)
    after = before.copy()
    after[8:20, 10:24] = (200, 60, 40)
    export.write_agreement(net, os.path.join(OUT, 'tiny-cd.agreement.json'), before, after)
    rgb = {'channels': 'RGB', 'layout': 'NCHW', 'dtype': 'float32'}
    manifest = {
        'name': 'tiny-cd', 'version': '0.0.1',
        'inputs': {'before': {'name': 'before', **rgb}, 'after': {'name': 'after', **rgb}},
        'normalization': {'mean': list(dataset.MEAN), 'std': list(dataset.STD)},
        'tile_size': TILE, 'overlap': 8, 'gsd_m': 0.2,
        'output': {'name': export.OUTPUT, 'layout': 'NCHW', 'dtype': 'float32'},
        'threshold': 0.5,
        'card': {'architecture': 'SiamDiffUNet widths [4, 8], random weights', 'intended_use': 'tests only'},
    }
    with open(os.path.join(OUT, 'tiny-cd.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    x = torch.zeros(1, 3, TILE, TILE)
    torch.onnx.export(OneInput().eval(), (x,), os.path.join(OUT, 'one-input.onnx'), input_names=['x'],
                      output_names=[export.OUTPUT], dynamic_axes={'x': {0: 'batch'}}, opset_version=export.OPSET)
    torch.onnx.export(ChangeProbability(net), (x, x), os.path.join(OUT, 'renamed-inputs.onnx'),
                      input_names=['x1', 'x2'], output_names=[export.OUTPUT], opset_version=export.OPSET)


if __name__ == '__main__':
    main()
