#!/usr/bin/env python3
"""The bench's PyTorch reference: the trainer's presets, trained the way the trainer trains them.

Same IDX files, same split (the last validationSplit of the training set held out, as Keras does),
Keras' initialisers (Glorot uniform weights, zero biases), Adam(lr 0.001, eps 1e-7), categorical
cross-entropy, a reshuffled gather per batch, the loss and accuracy read back every batch (as
Keras' fit does). One epoch per repetition from a fresh model; prints one JSON line per repetition.
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], 'big') for i in range(dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def find(dir_, stem):
    for name in (stem + '.gz', stem):
        if os.path.exists(os.path.join(dir_, name)):
            return os.path.join(dir_, name)
    sys.exit(f'{stem}[.gz] not found in {dir_}')


def build(preset):
    if preset in ('mlp', 'mlp-dropout'):
        drop = preset == 'mlp-dropout'
        layers = [nn.Flatten(), nn.Linear(784, 128), nn.ReLU()]
        layers += [nn.Dropout(0.2)] if drop else []
        layers += [nn.Linear(128, 64), nn.ReLU()]
        layers += [nn.Dropout(0.2)] if drop else []
        layers += [nn.Linear(64, 10)]
    elif preset == 'cnn':
        layers = [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10)]
    else:
        sys.exit(f'unknown preset {preset}')
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--preset', required=True)
    p.add_argument('--batch', type=int, required=True)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--warmup', type=float, default=0.1, help='fraction of the epoch\'s batches not timed')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--validation-split', type=float, default=0.2)
    p.add_argument('--seed', type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    images = read_idx(find(a.data, 'train-images-idx3-ubyte')).float().div_(255).unsqueeze(1)
    labels = read_idx(find(a.data, 'train-labels-idx1-ubyte')).long()
    test_x = read_idx(find(a.data, 't10k-images-idx3-ubyte')).float().div_(255).unsqueeze(1)
    test_y = read_idx(find(a.data, 't10k-labels-idx1-ubyte')).long()
    n = int(len(labels) * (1 - a.validation_split))
    x, y = images[:n].contiguous(), labels[:n].contiguous()
    val_x, val_y = images[n:].contiguous(), labels[n:].contiguous()
    batches = (n + a.batch - 1) // a.batch
    warm = max(3, int(batches * a.warmup))

    for rep in range(a.reps):
        torch.manual_seed(a.seed + rep)
        model = build(a.preset)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        model.train()
        perm = torch.randperm(n)
        epoch_start = time.perf_counter()
        t_warm = None
        for b in range(batches):
            if b == warm:
                t_warm = time.perf_counter()
                c_warm = time.process_time()
            idx = perm[b * a.batch:(b + 1) * a.batch]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            # Keras' fit reads the batch's loss and accuracy back every batch; so do we.
            _ = loss.item(), (out.argmax(1) == yb).float().mean().item()
        # Keras' fit ends the epoch with the validation pass (in batches of the batch size), and the
        # trainer's last batch event comes after it: timed here too, so both do the same work.
        model.eval()
        with torch.no_grad():
            for i in range(0, len(val_y), a.batch):
                out = model(val_x[i:i + a.batch])
                _ = loss_fn(out, val_y[i:i + a.batch]).item(), (out.argmax(1) == val_y[i:i + a.batch]).float().mean().item()
        model.train()
        t_end = time.perf_counter()
        c_end = time.process_time()
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum()) for i in range(0, len(test_y), 1000))
        timed = batches - warm
        samples = n - warm * a.batch
        print(json.dumps({
            'rep': rep,
            'samplesPerSecond': samples / (t_end - t_warm),
            'samplesPerCpuSecond': samples / (c_end - c_warm),
            'timedBatches': timed,
            'epochSeconds': t_end - epoch_start,
            'testAccuracy': correct / len(test_y),
            'maxRssKB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            'threads': torch.get_num_threads(),
            'torch': torch.__version__,
            'train': n,
        }), flush=True)


if __name__ == '__main__':
    main()
