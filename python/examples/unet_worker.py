#!/usr/bin/python3
"""A repro-check worker in PyTorch: the U-Net segmentation workload of models/, in Python.

Trains the same U-Net shape as the C++ worker (repro-worker): `vgg` blocks (conv3x3-BN-ReLU
twice, bias-free convs) or `mobilenet` blocks (two inverted residuals, expansion 4),
max-pool encoder, Bernoulli-mask dropout in the bottleneck, 2x2 stride-2 transposed-conv
decoder with skip concatenation, 1x1 head to 3 classes; cross-entropy loss, Adam. The
parameter and buffer names match the C++ worker's (`enc1.conv1.weight`, `head.bias`).

Same data and seeds as the C++ worker: the synthetic pets, epoch order and flips come from
synthetic_pets.py (models/data/synthetic_pets.cpp and models/pet_batches.cpp ported line
for line, integer only), the weights from torch.manual_seed(train.seed) before the model
is built, the dropout mask from a torch.Generator seeded like models/trainer.cpp's. With
the same libtorch underneath, its traces are bit-identical to repro-worker's
(suites/python.json declares `worker` invariant). Fast mode only: strict mode's sharding
is not ported (`train.mode` "strict" is rejected with exit 2), nor the Oxford reader.

Config fields used: model.*, data.count/image_size/seed, train.steps/batch_size/
learning_rate/seed/augment_flip/mode, settings.device/threads/interop_threads/
deterministic, eval.enabled/max_samples, and the suite's own `extra` object:
  extra.channels_last (bool, default false): the model and inputs in channels_last.
Run it: unet_worker.py --config CONFIG --trace TRACE (docs/trace-format.md).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import repro_trace as rt  # noqa: E402
import synthetic_pets as pets  # noqa: E402

PRODUCER = "unet_worker.py 0.1.0"
DROPOUT_STREAM = 0xd40f  # models/trainer.cpp


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
    train_set, val_set = pets.train_and_validation(data_cfg.get("count", 48), size,
                                                   data_cfg.get("seed", 7))
    if not train_set:
        raise rt.ConfigError(f"{args.config}: data.count: no sample falls in the training folds")

    def tensors(sample):
        _, image, trimap = sample
        hwc = torch.frombuffer(bytearray(image), dtype=torch.uint8).view(size, size, 3)
        label = torch.frombuffer(bytearray(trimap), dtype=torch.uint8).view(size, size)
        return hwc.permute(2, 0, 1).to(torch.float32).div_(255.0), label.to(torch.int64).sub_(1)

    train_tensors = [tensors(s) for s in train_set]
    seed = train_cfg.get("seed", 1)
    torch.manual_seed(seed)
    model = build_model(model_cfg, channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=train_cfg.get("learning_rate", 1e-3))
    order = rt.GradOrder(model)
    batches = pets.TrainBatches(len(train_set), seed)
    batch_size, steps = train_cfg.get("batch_size", 4), train_cfg.get("steps", 4)

    with rt.TraceWriter(args.trace, PRODUCER, config, rt.fingerprint(device)) as trace:
        for step in range(steps):
            ids, images, labels = [], [], []
            for index, flipped in batches.next(batch_size,
                                               bool(train_cfg.get("augment_flip", True))):
                image, label = train_tensors[index]
                if flipped:
                    image, label = image.flip(2), label.flip(1)
                ids.append(train_set[index][0])
                images.append(image)
                labels.append(label)
            images, labels = torch.stack(images), torch.stack(labels)
            inputs = images.to(memory_format=torch.channels_last) if channels_last else images
            start = time.perf_counter()
            model.train()
            optimizer.zero_grad()
            order.reset()
            dropout_gen = torch.Generator().manual_seed(
                pets.derive_seed([seed, DROPOUT_STREAM, step]))
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
                pairs = [tensors(s) for s in chosen]
                images = torch.stack([p[0] for p in pairs])
                labels = torch.stack([p[1] for p in pairs])
                logits = model(images, None)
                accuracy = float((logits.argmax(1) == labels).float().mean())
                val_loss = float(torch.nn.functional.cross_entropy(logits, labels))
            trace.eval({"split": "validation", "samples": len(chosen), "loss": val_loss,
                        "pixel_accuracy": accuracy})
        trace.finish()


if __name__ == "__main__":
    rt.worker_main(train, producer=PRODUCER)
