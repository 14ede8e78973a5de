#!/usr/bin/python3
"""The worker's fast-mode training step in PyTorch (Debian's python3-torch): the reference
for tests/benchmarks/worker_vs_python.sh.

Same U-Net as models/unet.cpp and models/unet_blocks.cpp (vgg blocks: conv3x3-BN-ReLU twice,
no conv bias; max-pool; dropout in the bottleneck; stride-2 transposed convolutions; skip
concatenation; 1x1 head to 3 classes), cross-entropy, Adam; the same timed region as the
worker's step time (zero_grad, forward, loss, backward, optimizer step). Prints one line:
"python: median step X ms over N steps (P parameters, torch V, T threads)".
"""
import argparse
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, width, depth, dropout, classes=3):
        super().__init__()
        self.encoders = nn.ModuleList()
        cin = 3
        for level in range(1, depth + 1):
            out = width << (level - 1)
            self.encoders.append(block(cin, out))
            cin = out
        bottom = width << depth
        self.bottleneck = block(cin, bottom)
        self.dropout = dropout
        cin = bottom
        self.ups = nn.ModuleList()
        self.decoders = nn.ModuleList()
        for level in range(depth, 0, -1):
            out = width << (level - 1)
            self.ups.append(nn.ConvTranspose2d(cin, out, 2, stride=2))
            self.decoders.append(block(2 * out, out))
            cin = out
        self.head = nn.Conv2d(cin, classes, 1)

    def forward(self, x):
        skips = []
        for enc in self.encoders:
            x = enc(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        if self.training and self.dropout > 0:
            x = F.dropout(x, self.dropout, training=True)
        for up, dec, skip in zip(self.ups, self.decoders, reversed(skips)):
            x = dec(torch.cat([up(x), skip], 1))
        return self.head(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=2, help="steps not counted in the median")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    model = UNet(a.width, a.depth, 0.1)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    images = torch.rand(a.batch, 3, a.image_size, a.image_size)
    labels = torch.randint(0, 3, (a.batch, a.image_size, a.image_size))
    times = []
    for step in range(a.warmup + a.steps):
        flip = step % 2 == 1  # a fresh batch tensor each step, as the worker's loader makes
        x = images.flip(3) if flip else images.clone()
        y = labels.flip(2) if flip else labels.clone()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        elapsed = (time.perf_counter() - start) * 1000
        if step >= a.warmup:
            times.append(elapsed)
    params = sum(t.numel() for t in model.parameters())
    print(f"python: median step {statistics.median(times):.2f} ms over {len(times)} steps "
          f"({params} parameters, torch {torch.__version__}, {a.threads} threads)")


if __name__ == "__main__":
    main()
