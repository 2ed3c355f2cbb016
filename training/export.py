"""ONNX export (opset 17, dynamic batch) and the ONNX/PyTorch agreement fixture."""
import base64
import inspect
import io
import json

import torch
from PIL import Image

import dataset
from model import ChangeProbability

INPUTS = ('before', 'after')
OUTPUT = 'change_probability'
OPSET = 17
SAMPLE_STRIDE = 8


def export_onnx(model, path, tile):
    """Writes `model` (logits) as an ONNX graph that outputs change probability, batch axis dynamic."""
    wrapped = ChangeProbability(model).eval()
    x = torch.zeros(1, 3, tile, tile)
    axes = {name: {0: 'batch'} for name in (*INPUTS, OUTPUT)}
    # PyTorch 2.9 and later export through torch.export by default; the TorchScript exporter keeps
    # the graph the same whichever PyTorch trained the model.
    legacy = {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(wrapped, (x, x), path, input_names=list(INPUTS), output_names=[OUTPUT],
                      dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, **legacy)


def png_base64(rgb):
    """Lossless PNG of an H x W x 3 uint8 array, base64-encoded."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format='PNG', optimize=True)
    return base64.b64encode(buf.getvalue()).decode('ascii')


def write_agreement(model, path, before, after):
    """Records one uint8 tile pair (H x W x 3) and PyTorch's probabilities on it, for the onnxruntime-node check."""
    def model_input(rgb):
        return dataset.normalize(dataset.to_chw(rgb)[None])

    with torch.no_grad():
        prob = ChangeProbability(model).eval()(model_input(before), model_input(after))[0, 0].numpy()
    fixture = {
        'before_png': png_base64(before),
        'after_png': png_base64(after),
        'sample_stride': SAMPLE_STRIDE,
        'samples': [round(float(v), 6) for v in prob[::SAMPLE_STRIDE, ::SAMPLE_STRIDE].ravel()],
        'mean': round(float(prob.mean()), 6),
        'max': round(float(prob.max()), 6),
        'tolerance': 1e-4,
    }
    with open(path, 'w') as f:
        json.dump(fixture, f)
