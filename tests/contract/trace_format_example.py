#!/usr/bin/env python3
"""Re-implements the trace digest, step root and step line from docs/trace-format.md alone.

Independent of the C++ harness: only the standard library and xxhash. Reads the worked
example (the framing block, the tensor table and the example trace) out of the document
and fails when any number the document states does not follow from its own rules.
Usage: trace_format_example.py docs/trace-format.md   (exit 0 when every number matches)
"""
import json
import re
import struct
import sys

import xxhash

# The dtype table of docs/trace-format.md: name -> struct format of one element.
DTYPES = {"float32": "<f", "float64": "<d", "int64": "<q", "int32": "<i",
          "uint8": "<B", "int8": "<b", "bool": "<?"}


def u64(v):
    return struct.pack("<Q", v)


def framed(s):
    return u64(len(s)) + s


def tensor_stream(dtype, shape, raw):
    out = framed(b"tensor") + framed(dtype.encode()) + u64(len(shape))
    for d in shape:
        out += u64(d)
    return out + framed(raw)


def hex128(data):
    return xxhash.xxh3_128(data).hexdigest()  # high 64 bits first, lowercase


def raw_bytes(dtype, values):
    return b"".join(struct.pack(DTYPES[dtype], v) for v in values)


def step_root(pairs):
    out = framed(b"step") + u64(len(pairs))
    for name, digest in pairs:
        hi, lo = int(digest[:16], 16), int(digest[16:], 16)
        out += framed(name.encode()) + u64(hi) + u64(lo)
    return hex128(out)


def block_after(text, marker):
    at = text.index(marker)
    m = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(text, at)
    return m.group(1)


def table_after(text, marker):
    rows = []
    for line in text[text.index(marker):].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        rows.append(cells)
    return rows[2:]  # skip the header and the --- row


def main(path):
    text = open(path, encoding="utf-8").read()
    failures = []

    def check(what, got, want):
        if got != want:
            failures.append(f"{what}: the document says {want}, its rules give {got}")

    # 1. The framing example: stream bytes and digest of one tensor.
    framing = dict(line.split(":", 1) for line in block_after(text, "<!-- example:framing -->")
                   .strip().splitlines())
    framing = {k.strip(): v.strip() for k, v in framing.items()}
    dtype, shape = framing["dtype"], json.loads(framing["shape"])
    raw = raw_bytes(dtype, json.loads(framing["values"]))
    check("framing bytes", raw.hex(), framing["bytes"].replace(" ", ""))
    stream = tensor_stream(dtype, shape, raw)
    check("framing stream", stream.hex(), framing["stream"].replace(" ", ""))
    check("framing digest", hex128(stream), framing["digest"])

    # 2. The tensor table: each digest from dtype, shape and values.
    table = table_after(text, "<!-- example:tensors -->")
    if len(table) < 5:
        failures.append(f"expected the example tensor table, found {len(table)} rows")
    entries = []
    for name, kind, dtype, shape, values, digest in table:
        raw = raw_bytes(dtype, json.loads(values))
        check(f"digest of {name}", tensor_stream(dtype, json.loads(shape), raw).hex()
              and hex128(tensor_stream(dtype, json.loads(shape), raw)), digest)
        entries.append([name, kind, digest])

    # 3. The step record: root and the whole line, byte for byte.
    lines = block_after(text, "<!-- example:trace -->").strip().splitlines()
    header, step, end = (json.loads(line) for line in lines)
    check("header type", header["type"], "header")
    check("end record", end, {"type": "end", "steps": 1, "status": "ok"})
    loss = [r for r in table if r[1] == "loss"][0]
    loss_value = struct.unpack("<f", raw_bytes("float32", json.loads(loss[4])))[0]
    loss_bits = raw_bytes("float32", json.loads(loss[4]))[::-1].hex()
    ours = {"type": "step", "step": 0,
            "loss": {"dtype": "float32", "bits": loss_bits, "value": loss_value},
            "batch_ids": step["batch_ids"],
            "root": step_root([(e[0], e[2]) for e in entries]),
            "tensors": entries}
    check("root", ours["root"], step["root"])
    check("step line", json.dumps(ours, separators=(",", ":")), lines[1])

    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print(f"trace-format example: framing, {len(entries)} tensor digests, root "
          f"{ours['root']} and the step line match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
