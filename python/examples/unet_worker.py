#!/usr/bin/python3
"""A repro-check worker in PyTorch: the U-Net segmentation workload of models/, in Python.

Trains the same U-Net shape as the C++ worker (repro-worker): `vgg` blocks (conv3x3-BN-ReLU
twice, bias-free convs) or `mobilenet` blocks (two inverted residuals, expansion 4),
max-pool encoder, Bernoulli-mask dropout in the bottleneck, 2x2 stride-2 transposed-conv
decoder with skip concatenation, 1x1 head to 3 classes; cross-entropy loss, Adam. The
parameter and buffer names match the C++ worker's (`enc1.conv1.weight`, `head.bias`).

What differs from the C++ worker (so traces differ from step 0): the synthetic pets come
from torch.Generator instead of our C++ generator (other images and ids); weight init is
PyTorch's Python default under torch.manual_seed (the same kaiming-uniform rule, other
draws); the epoch order and flips come from torch generators. Fast mode only (strict
mode's sharding is not ported: `train.mode` "strict" is rejected with exit 2).

Config fields used: model.*, data.count/image_size/seed, train.steps/batch_size/
learning_rate/seed/augment_flip/mode, settings.device/threads/interop_threads/
deterministic, eval.enabled/max_samples, and the suite's own `extra` object:
  extra.channels_last (bool, default false): the model and inputs in channels_last.
Run it: unet_worker.py --config CONFIG --trace TRACE (docs/trace-format.md).
"""
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import repro_trace as rt  # noqa: E402

PRODUCER = "unet_worker.py 0.1.0"
BREEDS = ("Abyssinian", "Bengal", "Bombay", "british_shorthair", "beagle", "boxer",
          "pug", "samoyed", "yorkshire_terrier")


def fold_of(sample_id):
    return int(hashlib.md5(sample_id.encode("utf-8")).hexdigest(), 16) % 10


def synthetic_pets(count, size, seed):
    """Deterministic RGB images with a pet-like blob on a textured background and trimaps
    (0 pet, 1 background, 2 border), ids named like Oxford-IIIT Pet."""
    import torch
    g = torch.Generator().manual_seed(seed)
    ys = torch.arange(size, dtype=torch.float32).view(size, 1)
    xs = torch.arange(size, dtype=torch.float32).view(1, size)
    samples = []
    for i in range(count):
        sample_id = f"{BREEDS[i % len(BREEDS)]}_{i // len(BREEDS) + 1}"
        centre = torch.rand(2, generator=g) * size * 0.5 + size * 0.25
        radius = float(torch.rand(1, generator=g)) * size * 0.2 + size * 0.15
        dist = ((ys - centre[0]) ** 2 + (xs - centre[1]) ** 2).sqrt()
        label = torch.ones(size, size, dtype=torch.int64)
        label[dist <= radius + 1.0] = 2
        label[dist <= radius - 1.0] = 0
        background = torch.rand(3, 1, 1, generator=g) * 0.5
        texture = torch.rand(3, size, size, generator=g) * 0.2
        colour = torch.rand(3, 1, 1, generator=g) * 0.5 + 0.5
        image = background + texture
        image = torch.where((label == 0).unsqueeze(0), colour.expand(3, size, size), image)
        samples.append((sample_id, image.contiguous(), label))
    return samples


def build_model(model_config, channels_last):
    import torch
    from torch import nn

    def conv(cin, cout, k, groups=1):
        return nn.Conv2d(cin, cout, k, padding=k // 2, bias=False, groups=groups)

    class ConvBlock(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv1, self.bn1 = conv(cin, cout, 3), nn.BatchNorm2d(cout)
            self.conv2, self.bn2 = conv(cout, cout, 3), nn.BatchNorm2d(cout)

        def forward(self, x):
            x = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(x)))

    class InvertedResidual(nn.Module):
        def __init__(self, cin, cout, expansion=4):
            super().__init__()
            hidden = cin * expansion
            self.residual = cin == cout
            self.expand, self.expand_bn = conv(cin, hidden, 1), nn.BatchNorm2d(hidden)
            self.depthwise = conv(hidden, hidden, 3, groups=hidden)
            self.depthwise_bn = nn.BatchNorm2d(hidden)
            self.project, self.project_bn = conv(hidden, cout, 1), nn.BatchNorm2d(cout)

        def forward(self, x):
            y = nn.functional.relu6(self.expand_bn(self.expand(x)))
            y = nn.functional.relu6(self.depthwise_bn(self.depthwise(y)))
            y = self.project_bn(self.project(y))
            return y + x if self.residual else y

    class MobileBlock(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.ir1, self.ir2 = InvertedResidual(cin, cout), InvertedResidual(cout, cout)

        def forward(self, x):
            return self.ir2(self.ir1(x))

    block = MobileBlock if model_config.get("variant", "vgg") == "mobilenet" else ConvBlock
    width, depth = model_config.get("width", 8), model_config.get("depth", 3)
    dropout = model_config.get("dropout", 0.1)

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            cin = 3
            for level in range(1, depth + 1):
                setattr(self, f"enc{level}", block(cin, width << (level - 1)))
                cin = width << (level - 1)
            self.bottleneck = block(cin, width << depth)
            cin = width << depth
            for level in range(depth, 0, -1):
                out = width << (level - 1)
                setattr(self, f"up{level}", nn.ConvTranspose2d(cin, out, 2, stride=2))
                setattr(self, f"dec{level}", block(2 * out, out))
                cin = out
            self.head = nn.Conv2d(cin, 3, 1)

        def forward(self, x, generator):
            skips = []
            for level in range(1, depth + 1):
                x = getattr(self, f"enc{level}")(x)
                skips.append(x)
                x = nn.functional.max_pool2d(x, 2)
            x = self.bottleneck(x)
            if self.training and dropout > 0:
                keep = 1.0 - dropout
                mask = torch.empty(x.shape, dtype=x.dtype).bernoulli_(keep, generator=generator)
                x = x * mask.div_(keep)
            for level in range(depth, 0, -1):
                x = getattr(self, f"up{level}")(x)
                x = getattr(self, f"dec{level}")(torch.cat([x, skips.pop()], dim=1))
            return self.head(x)

    model = UNet()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def train(config, args):
    import torch
    model_cfg, data_cfg = config.get("model", {}), config.get("data", {})
    train_cfg, settings = config.get("train", {}), config.get("settings", {})
    eval_cfg, extra = config.get("eval", {}), config.get("extra", {})
    if not isinstance(extra, dict):
        raise rt.ConfigError(f"{args.config}: extra: expected an object")
    if data_cfg.get("source", "synthetic") != "synthetic":
        raise rt.ConfigError(f"{args.config}: data.source: only 'synthetic' is supported")
    if train_cfg.get("mode", "fast") != "fast":
        raise rt.ConfigError(f"{args.config}: train.mode: only 'fast' is supported")
    if settings.get("fault", "none") != "none":
        raise rt.ConfigError(f"{args.config}: settings.fault: planted faults are not supported")
    device = settings.get("device", "cpu")
    if device != "cpu":
        raise rt.SkipRun(f"{device}: this example trains on the CPU only")
    torch.set_num_threads(settings.get("threads", 1))
    torch.set_num_interop_threads(settings.get("interop_threads", 1))
    torch.use_deterministic_algorithms(bool(settings.get("deterministic", False)))
    channels_last = bool(extra.get("channels_last", False))

    size = data_cfg.get("image_size", 32)
    samples = synthetic_pets(data_cfg.get("count", 48), size, data_cfg.get("seed", 7))
    train_set = sorted((s for s in samples if fold_of(s[0]) <= 6), key=lambda s: s[0])
    val_set = sorted((s for s in samples if fold_of(s[0]) == 7), key=lambda s: s[0])
    if not train_set:
        raise rt.ConfigError(f"{args.config}: data.count: no sample falls in the training folds")
    seed = train_cfg.get("seed", 1)
    torch.manual_seed(seed)
    model = build_model(model_cfg, channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=train_cfg.get("learning_rate", 1e-3))
    order = rt.GradOrder(model)
    order_gen = torch.Generator().manual_seed(seed * 1000003 + 1)
    flip_gen = torch.Generator().manual_seed(seed * 1000003 + 2)
    batch_size, steps = train_cfg.get("batch_size", 4), train_cfg.get("steps", 4)
    permutation, position = [], 0

    with rt.TraceWriter(args.trace, PRODUCER, config, rt.fingerprint(device)) as trace:
        for step in range(steps):
            ids, images, labels = [], [], []
            for _ in range(batch_size):
                if position == len(permutation):
                    permutation = torch.randperm(len(train_set), generator=order_gen).tolist()
                    position = 0
                sample_id, image, label = train_set[permutation[position]]
                position += 1
                if train_cfg.get("augment_flip", True) and int(
                        torch.randint(2, (1,), generator=flip_gen)) == 1:
                    image, label = image.flip(2), label.flip(1)
                ids.append(sample_id)
                images.append(image)
                labels.append(label)
            images, labels = torch.stack(images), torch.stack(labels)
            inputs = images.to(memory_format=torch.channels_last) if channels_last else images
            start = time.perf_counter()
            model.train()
            optimizer.zero_grad()
            order.reset()
            dropout_gen = torch.Generator().manual_seed(seed * 1000003 + 100 + step)
            loss = torch.nn.functional.cross_entropy(model(inputs, dropout_gen), labels)
            loss.backward()
            optimizer.step()
            elapsed_ms = (time.perf_counter() - start) * 1000.0
            rec = rt.StepRecorder(step, ids)
            rec.batch("batch.images", images)
            rec.batch("batch.labels", labels)
            rec.buffers(model)
            rec.loss(loss.detach())
            rec.grads(model, order)
            rec.params(model)
            rec.optimizer_state(model, optimizer)
            trace.step(rec)
            trace.timing(step, elapsed_ms)
            if args.dump_step == step:
                rec.dump(args.dump_dir)
                if args.stop_after_dump:
                    return
            if not args.quiet:
                print(f"step {step}: loss {float(loss):.6f}", file=sys.stderr)
        if eval_cfg.get("enabled", True) and val_set:
            limit = eval_cfg.get("max_samples", 0) or len(val_set)
            chosen = val_set[:limit]
            model.eval()
            with torch.no_grad():
                images = torch.stack([s[1] for s in chosen])
                labels = torch.stack([s[2] for s in chosen])
                logits = model(images, None)
                accuracy = float((logits.argmax(1) == labels).float().mean())
                val_loss = float(torch.nn.functional.cross_entropy(logits, labels))
            trace.eval({"split": "validation", "samples": len(chosen), "loss": val_loss,
                        "pixel_accuracy": accuracy})
        trace.finish()


if __name__ == "__main__":
    rt.worker_main(train, producer=PRODUCER)
