"""PyTorch CPU throughput of a change model on 256x256 tile pairs; prints one JSON line per batch size.

    /usr/bin/python3 training/bench_torch.py [--arch NAME] [--threads 2] [--batches 1,4,8] [--seconds 5]
"""
import argparse
import json
import os
import time

# OpenMP threads that spin while waiting make training several times slower whenever another
# process uses a core (measured: 95 s instead of 22 s per epoch on 2 shared cores); must precede torch.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch

import model as models


def measure(net, batch, tile, seconds):
    """Tiles per second of `net` over at least `seconds` of repeated batches, after one warm-up run."""
    x = torch.randn(batch, 3, tile, tile)
    with torch.no_grad():
        net(x, x)
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            net(x, x)
            runs += 1
    return runs * batch / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default=models.ARCHITECTURE, choices=sorted(models.CANDIDATES))
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--batches', default='1,4,8')
    p.add_argument('--tile', type=int, default=256)
    p.add_argument('--seconds', type=float, default=5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    net = models.ChangeProbability(models.build(args.arch)).eval()
    for batch in (int(b) for b in args.batches.split(',')):
        tiles_per_s = measure(net, batch, args.tile, args.seconds)
        print(json.dumps({
            'runtime': f'pytorch-{torch.__version__}-cpu', 'arch': args.arch, 'threads': args.threads,
            'batch': batch, 'tile': args.tile, 'tiles_per_s': round(tiles_per_s, 2),
            'mpx_per_s': round(tiles_per_s * args.tile ** 2 / 1e6, 3),
        }), flush=True)


if __name__ == '__main__':
    main()
