#!/usr/bin/env bash
# Reproduces the shipped model models/zhiwei-cd-v1.*: writes the training chips with the scene
# generator (40 scenes of 4096 px, seeds 101-140, 2560 chips), the validation chips (5 scenes of
# 2048 px, seeds 901-905, 80 chips), then trains and exports. Seeds 2001-2020 are the held-out
# test scenes of bench/eval-cd.ts and are never used here. Training takes about 5 minutes on one
# GPU (train.py uses CUDA when PyTorch sees one); on 2 CPU cores, 8-9 hours.
#   training/reproduce.sh [CHIPS_DIR]        (default: data/chips; run from the repository root)
# PYTHON names the Python with PyTorch (default /usr/bin/python3, Debian's python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
chips=${1:-data/chips}
zhiwei() { node --import tsx src/cli/bin.ts "$@"; }
for seed in $(seq 101 140); do
  [ -e "$chips/train/A/s${seed}_r0_c0.png" ] || zhiwei synth --chips "$chips/train" --seed "$seed" --size 4096
done
for seed in $(seq 901 905); do
  [ -e "$chips/val/A/s${seed}_r0_c0.png" ] || zhiwei synth --chips "$chips/val" --seed "$seed" --size 2048
done
"${PYTHON:-/usr/bin/python3}" training/train.py --train "$chips/train" --val "$chips/val" --name zhiwei-cd-v1 --version 2.0.0 \
  --arch siamdiff-plain-24 --epochs 75 --patience 75 --batch 16
