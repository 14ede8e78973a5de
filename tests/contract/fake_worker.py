#!/usr/bin/python3
"""A stand-in worker without torch: python/repro_trace.py's protocol around a toy training.

`fake_worker.py [--break RULE] <worker arguments>` follows docs/trace-format.md, except
for the one rule named by --break, which it breaks on purpose (tests/unit/
worker_conformance_test.cpp checks that `repro-check worker conformance` names it).
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import repro_trace as rt  # noqa: E402

BROKEN = ""
if len(sys.argv) > 2 and sys.argv[1] == "--break":
    BROKEN = sys.argv[2]
    del sys.argv[1:3]


def f32(values):
    return struct.pack(f"<{len(values)}f", *values)


def fingerprint(device):
    fp = {"format_version": 1, "libtorch_version": "0.0.0", "blas_build": "", "cpu_capability": "",
          "device": device}
    if BROKEN == "fingerprint.schema":
        del fp["libtorch_version"]
    if BROKEN == "fingerprint.device":
        fp["device"] = "gpu" if device == "cpu" else "cpu"
    return fp


class Toy:
    """y = w*x + v; loss = mean((y - t)^2); Adam-like state, all in float32 via struct."""

    def __init__(self, seed):
        self.seed = seed
        self.w = [0.5 + 0.01 * seed, -0.25]
        self.m = [0.0, 0.0]

    def step(self, step):
        x = [((self.seed * 31 + step * 7 + i) % 13) / 13.0 for i in range(2)]
        if BROKEN == "repeat.identical":
            x[0] += int.from_bytes(os.urandom(2), "little") / 65536.0
        y = [self.w[i] * x[i] for i in range(2)]
        loss = struct.unpack("<f", f32([sum((v - 0.5) ** 2 for v in y) / 2.0]))[0]
        grad = [(y[i] - 0.5) * x[i] for i in range(2)]
        self.m = [0.9 * self.m[i] + 0.1 * grad[i] for i in range(2)]
        self.w = [self.w[i] - 0.01 * self.m[i] for i in range(2)]
        return x, loss, grad


def record(toy, step, x, loss, grad):
    rec = rt.StepRecorder(step, [f"sample_{step}"])
    rec.add_bytes("batch.images", "batch", "float32", [1, 2], f32(x))
    loss_bits = f32([loss])
    if BROKEN == "trace.loss":
        loss_bits = struct.pack("<I", struct.unpack("<I", loss_bits)[0] + 1)
    grad_entry = ("w.grad", "grad", "float32", [2], f32(grad))
    param_entry = ("w", "param", "float32", [2], f32(toy.w))
    loss_entry = ("loss", "loss", "float32", [], f32([loss]))
    if BROKEN == "trace.order":
        rec.add_bytes(*loss_entry)
        rec.add_bytes(*param_entry)
        rec.add_bytes(*grad_entry)
    else:
        rec.add_bytes(*loss_entry)
        rec.add_bytes(*grad_entry)
        rec.add_bytes(*param_entry)
    rec.add_bytes("w.exp_avg", "optimizer", "float32", [2], f32(toy.m))
    rec.loss_entry = rec.loss_entry[:4] + (loss_bits,) + rec.loss_entry[5:]
    return rec


def train(config, args):
    if BROKEN == "run.exit":
        raise RuntimeError("broken on purpose")
    if args.dump_step is not None and BROKEN == "dump.exit":
        raise RuntimeError("cannot dump (broken on purpose)")
    seed = 1 if BROKEN == "seed.honoured" else config.get("train", {}).get("seed", 1)
    steps = config.get("train", {}).get("steps", 3)
    if BROKEN == "trace.steps":
        steps -= 1
    fp = fingerprint(config.get("settings", {}).get("device", "cpu"))
    if BROKEN == "trace.settings":
        fp["device"] = "gpu"
    if BROKEN == "trace.fingerprint":
        fp["cpu_flags"] = "avx2"
    toy = Toy(seed)
    trace = rt.TraceWriter(args.trace, "fake-worker 1.0", config, fp)
    for step in range(steps):
        rec = record(toy, step, *toy.step(step))
        line = rec.record()
        if BROKEN == "trace.schema":
            line["batch_ids"] = [step]
        if BROKEN == "trace.reader":
            line["root"] = "0" * 32
        trace._line(line)
        trace.steps += 1
        if args.dump_step == step:
            if BROKEN == "dump.matches-trace":
                rec.entries.reverse()
            rec.dump(args.dump_dir)
            if BROKEN == "dump.manifest":
                with open(os.path.join(args.dump_dir, "0.bin"), "ab") as f:
                    f.write(b"\0")
            if args.stop_after_dump and BROKEN != "dump.stop":
                return
    if BROKEN == "run.trace":
        trace._file.write(json.dumps({"type": "end", "steps": steps, "status": "ok"}) + "\n")
        trace._file.close()
        return
    trace.finish()


def main():
    if BROKEN == "fingerprint.exit" and "--fingerprint" in sys.argv:
        sys.exit(1)
    if BROKEN == "config.rejected" and "--config" in sys.argv:
        path = sys.argv[sys.argv.index("--config") + 1]
        try:
            json.load(open(path, encoding="utf-8"))
        except ValueError:
            sys.exit(3)
    rt.fingerprint = fingerprint  # no torch here
    rt.worker_main(train, producer="fake-worker 1.0")


if __name__ == "__main__":
    main()
