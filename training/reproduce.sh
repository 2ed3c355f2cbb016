#!/usr/bin/env bash
# Reproduces the shipped model models/zhiwei-cd-v1.*: writes the training chips with the scene
# generator (40 scenes of 4096 px, seeds 101-140, 2560 chips, in train/even and train/odd by
# seed), the validation chips (5 scenes of 2048 px, seeds 901-905, 80 chips), then trains on all
# training chips with shifts of up to 4 px between the epochs, and fine-tunes on the even seeds'
# chips with shifts of up to 1 px (the pipeline co-registers the flights first; added floors show
# as a pixel or two of relief displacement). Seeds 2001-2020 are the held-out test scenes of
# bench/eval-cd.ts and are never used here. Training takes about 6 minutes on one GPU (train.py
# uses CUDA when PyTorch sees one); on 2 CPU cores, 10-11 hours.
#   training/reproduce.sh [CHIPS_DIR]        (default: data/chips; run from the repository root)
# PYTHON names the Python with PyTorch (default /usr/bin/python3, Debian's python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
chips=${1:-data/chips}
python=${PYTHON:-/usr/bin/python3}
zhiwei() { node --import tsx src/cli/bin.ts "$@"; }
for seed in $(seq 101 140); do
  half=$([ $((seed % 2)) -eq 0 ] && echo even || echo odd)
  [ -e "$chips/train/$half/A/s${seed}_r0_c0.png" ] || zhiwei synth --chips "$chips/train/$half" --seed "$seed" --size 4096
done
for seed in $(seq 901 905); do
  [ -e "$chips/val/A/s${seed}_r0_c0.png" ] || zhiwei synth --chips "$chips/val" --seed "$seed" --size 2048
done
"$python" training/train.py --train "$chips/train/even" "$chips/train/odd" --val "$chips/val" --name zhiwei-cd-v1 \
  --version 2.0.0 --arch siamdiff-plain-24 --epochs 75 --patience 75 --batch 16
"$python" training/train.py --init models/zhiwei-cd-v1.pt --lr 3e-4 --max-shift 1 --train "$chips/train/even" \
  --val "$chips/val" --name zhiwei-cd-v1 --version 2.1.0 --arch siamdiff-plain-24 --epochs 40 --patience 40 --batch 16
