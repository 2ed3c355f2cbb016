"""Trains (or fine-tunes) the change model on LEVIR-CD-style chips and exports it for zhiwei.

    /usr/bin/python3 training/train.py --train CHIPS/train --val CHIPS/val --name zhiwei-cd-v1

Early stopping on validation F1; the best epoch is exported to models/<name>.onnx with its
manifest models/<name>.json, its PyTorch weights models/<name>.pt (for --init) and an
ONNX/PyTorch agreement fixture models/<name>.agreement.json, which onnxruntime-node then checks.
"""
import argparse
import copy
import datetime
import json
import os
import shutil
import subprocess
import time

# OpenMP threads that spin while waiting make training several times slower whenever another
# process uses a core (measured: 95 s instead of 22 s per epoch on 2 shared cores); must precede torch.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np
import torch
import torch.nn.functional as F

import dataset
import export
import model as models

BLOCK_WORDS = {'plain': '3x3 conv-BN-ReLU pairs', 'separable': 'depthwise-separable conv pairs'}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    p = argparse.ArgumentParser(description='Train or fine-tune the zhiwei change model and export it to ONNX.')
    p.add_argument('--train', nargs='+', required=True, help='LEVIR-CD-style folders (A/, B/, label/) to train on')
    p.add_argument('--val', nargs='+', required=True, help='held-out folders for early stopping and the card metrics')
    p.add_argument('--name', default='zhiwei-cd-v1', help='model name: writes models/<name>.{onnx,json,pt}')
    p.add_argument('--version', default='1.0.0')
    p.add_argument('--init', help='start from these weights: a models/<name>.pt (or the .onnx beside it)')
    p.add_argument('--arch', default=models.ARCHITECTURE, choices=sorted(models.CANDIDATES))
    p.add_argument('--epochs', type=int, default=40, help='at most this many passes over the training chips')
    p.add_argument('--patience', type=int, default=8, help='stop after this many epochs without a better validation F1')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--lr', type=float, default=2e-3, help='initial learning rate (AdamW, cosine decay over --epochs); use ~3e-4 to fine-tune')
    p.add_argument('--tile', type=int, default=256)
    p.add_argument('--overlap', type=int, default=32, help='tile overlap the pipeline should use (manifest only)')
    p.add_argument('--gsd', type=float, default=0.2, help='ground sample distance of the chips in metres (manifest only)')
    p.add_argument('--threshold', type=float, default=0.5)
    p.add_argument('--max-shift', type=int, default=4, help='largest shift (px) of the before chip against the after chip in augmentation: the misregistration to tolerate')
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='CPU threads of PyTorch')
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu', help='cpu or cuda (default: cuda when there is one)')
    p.add_argument('--workers', type=int, default=min(8, os.cpu_count() // 2), help='processes that augment chips beside the training loop')
    p.add_argument('--max-minutes', type=float, help='end training after the epoch that passes this many minutes')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args()


def loss_fn(logits, label):
    """Binary cross-entropy plus soft Dice: changed pixels are rare, Dice keeps them from being ignored."""
    prob = torch.sigmoid(logits)
    dice = 1 - (2 * (prob * label).sum() + 1) / (prob.sum() + label.sum() + 1)
    return F.binary_cross_entropy_with_logits(logits, label) + dice


def evaluate(net, loader, threshold, device):
    """Pixel-level precision, recall, F1 and IoU of the change class over a whole loader."""
    net.eval()
    tp = fp = fn = 0
    with torch.no_grad():
        for a, b, label in loader:
            a, b, label = (v.to(device) for v in (a, b, label))
            pred = torch.sigmoid(net(dataset.normalize(dataset.match_before_to_after(a, b)), dataset.normalize(b))) >= threshold
            truth = label > 0.5
            tp += int((pred & truth).sum())
            fp += int((pred & ~truth).sum())
            fn += int((~pred & truth).sum())
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    return {
        'precision': round(precision, 4), 'recall': round(recall, 4),
        'f1': round(2 * tp / max(2 * tp + fp + fn, 1), 4), 'iou': round(tp / max(tp + fp + fn, 1), 4),
    }


def load_init(net, path, arch):
    """Loads weights saved by this script, refusing a checkpoint of another architecture; returns the .pt path."""
    path = os.path.splitext(path)[0] + '.pt'
    checkpoint = torch.load(path, map_location='cpu')
    if checkpoint['arch'] != arch:
        raise SystemExit(f"{path}: architecture {checkpoint['arch']}, but --arch is {arch}")
    net.load_state_dict(checkpoint['state_dict'])
    return path


def agreement_pair(val_set, tile):
    """Before/after uint8 tiles for the agreement fixture: a window of tile/2 pixels around the change
    in the first validation chip that has some, on a flat grey surround that keeps the PNGs small."""
    chips = ((a[:tile, :tile], b[:tile, :tile], label[:tile, :tile]) for a, b, label in val_set.chips)
    first = val_set.chips[0]
    a, b, label = next((chip for chip in chips if chip[2].any()), (first[0], first[1], np.ones((tile, tile))))
    half = tile // 2
    y, x = (int(np.clip(np.mean(c) - half / 2, 0, tile - half)) for c in np.nonzero(label))
    pair = []
    for rgb in (a, b):
        grey = np.full((tile, tile, 3), 128, np.uint8)
        grey[y:y + half, x:x + half] = rgb[y:y + half, x:x + half]
        pair.append(grey)
    return pair


def train(args, net, train_set, val_loader):
    """Epochs with early stopping; leaves the best epoch's weights in `net`. Returns (best metrics, epochs run)."""
    loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch, shuffle=True, drop_last=len(train_set) > args.batch,
                                         num_workers=args.workers, persistent_workers=args.workers > 0)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * len(loader))
    # bfloat16 matrix work on a GPU; float32 on the CPU, where it would be slower.
    device_type = torch.device(args.device).type
    autocast = torch.autocast(device_type, torch.bfloat16, enabled=device_type == 'cuda')
    best, best_state, stale, began = None, None, 0, time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        net.train()
        start, losses = time.perf_counter(), []
        for a, b, label in loader:
            a, b, label = (v.to(args.device, non_blocking=True) for v in (a, b, label))
            with autocast:
                a, b = dataset.jitter_colour(a), dataset.jitter_colour(b)
                loss = loss_fn(net(dataset.normalize(dataset.match_before_to_after(a, b)), dataset.normalize(b)).float(), label)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.detach())
        metrics = evaluate(net, val_loader, args.threshold, args.device)
        print(json.dumps({'epoch': epoch, 'loss': round(float(torch.stack(losses).mean()), 4), 'seconds': round(time.perf_counter() - start, 1), **metrics}), flush=True)
        if best is None or metrics['f1'] > best['f1']:
            best, best_state, stale = {**metrics, 'epoch': epoch}, copy.deepcopy(net.state_dict()), 0
        else:
            stale += 1
            if stale >= args.patience:
                break
        if args.max_minutes and time.perf_counter() - began > args.max_minutes * 60:
            break
    net.load_state_dict(best_state)
    return best, epoch


def manifest(args, net, train_set, val_set, best, epochs_run, init):
    """The model manifest and card (DESIGN.md section 5)."""
    def folders(ds):
        counts = {}
        for folder, _ in ds.items:
            counts[folder] = counts.get(folder, 0) + 1
        return [{'folder': os.path.relpath(f, ROOT) if f.startswith(ROOT) else f, 'chips': n} for f, n in counts.items()]

    rgb = {'channels': 'RGB', 'layout': 'NCHW', 'dtype': 'float32'}
    return {
        'name': args.name,
        'version': args.version,
        'inputs': {'before': {'name': 'before', **rgb}, 'after': {'name': 'after', **rgb}},
        'normalization': {'mean': list(dataset.MEAN), 'std': list(dataset.STD)},
        # zhiwei matches each before tile's colours to the after tile's before inference (see training/README.md)
        'radiometry': 'before_matched_to_after',
        'tile_size': args.tile,
        'overlap': args.overlap,
        'gsd_m': args.gsd,
        'output': {'name': export.OUTPUT, 'layout': 'NCHW', 'dtype': 'float32'},
        'threshold': args.threshold,
        'card': {
            'architecture': f'{args.arch}: Siamese UNet, shared encoder of 4 stride-2 stages (widths '
                            f'{list(net.widths)}, {BLOCK_WORDS[net.block]}), |A-B| feature difference at every stage, '
                            'bilinear-upsampling decoder, sigmoid output',
            'parameters': models.count_parameters(net),
            'gflops_per_tile': round(models.count_flops(net, args.tile) / 1e9, 3),
            'training_data': {
                'train': folders(train_set), 'validation': folders(val_set), 'init': init,
                'augmentation': f'random crop, flips, 90-degree rotations, colour jitter per epoch, shift of up to {args.max_shift} px between epochs',
            },
            'metrics': {'set': 'validation folders above (held out, never trained on)', 'threshold': args.threshold,
                        'best_epoch': best['epoch'], 'epochs_run': epochs_run,
                        **{k: best[k] for k in ('precision', 'recall', 'f1', 'iou')}},
            'trained': datetime.date.today().isoformat(),
            'intended_use': 'Pixel-level change between two co-registered RGB orthophoto epochs resampled to '
                            f'{args.gsd} m, as the image cue of the zhiwei pipeline, fused with DSM height change.',
            'limitations': 'Trained only on the data listed above. If those are zhiwei synth chips, it has never seen '
                           'real imagery: expect false alarms from seasonal vegetation, shadows, cars, radiometric and '
                           'viewing-angle differences that the generator does not render, and misses on real roof '
                           'materials. Validate on a labelled real flight before relying on it.',
            'fine_tuning': 'Lay out labelled past flights as LEVIR-CD folders (A/ before, B/ after, label/ 0/255 PNG or '
                           f'GeoTIFF chips at {args.gsd} m, at least {args.tile} px) and run training/train.py --init '
                           f'models/{args.name}.pt --lr 3e-4 --train ... --val ... --name <new name>; see training/README.md.',
        },
    }


def check_agreement(onnx_path):
    """Runs the agreement fixture through onnxruntime-node (training/check_agreement.ts); raises if it fails.
    Where there is no Node (a GPU machine, say), says how to run the check where there is."""
    command = ['node', '--import', 'tsx', os.path.join('training', 'check_agreement.ts'), os.path.relpath(onnx_path, ROOT)]
    if shutil.which('node') is None:
        print(json.dumps({'agreement': 'not checked: no node here', 'run': ' '.join(command)}), flush=True)
        return
    subprocess.run(command, check=True, cwd=ROOT)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.tile % dataset.STRIDE:
        raise SystemExit(f'--tile must be a multiple of {dataset.STRIDE}, got {args.tile}')
    train_set = dataset.ChangeChips(args.train, args.tile, augment=True, max_shift=args.max_shift)
    val_set = dataset.ChangeChips(args.val, args.tile, augment=False)
    val_loader = torch.utils.data.DataLoader(val_set, batch_size=1)
    overlap = {f for f, _ in train_set.items} & {f for f, _ in val_set.items}
    if overlap:
        raise SystemExit(f'validation folders must not be training folders: {sorted(overlap)}')
    net = models.build(args.arch)
    init = load_init(net, args.init, args.arch) if args.init else None
    net.to(args.device)
    out = os.path.join(ROOT, 'models', args.name)
    print(json.dumps({'train_chips': len(train_set), 'val_chips': len(val_set), 'arch': args.arch, 'device': args.device}), flush=True)
    best, epochs_run = train(args, net, train_set, val_loader)
    net.cpu().eval()
    torch.save({'arch': args.arch, 'state_dict': net.state_dict()}, out + '.pt')
    export.export_onnx(net, out + '.onnx', args.tile)
    before, after = agreement_pair(val_set, args.tile)
    export.write_agreement(net, out + '.agreement.json', before, after)
    with open(out + '.json', 'w') as f:
        json.dump(manifest(args, net, train_set, val_set, best, epochs_run, init and os.path.relpath(init, ROOT)), f, indent=2, ensure_ascii=False)
        f.write('\n')
    check_agreement(out + '.onnx')
    print(json.dumps({'exported': os.path.relpath(out + '.onnx', ROOT), **best}), flush=True)


if __name__ == '__main__':
    main()
