"""repro_trace: write repro-check traces and tensor dumps from any PyTorch training loop.

The format is docs/trace-format.md (trace format 2); this module depends on the standard
library and xxhash, and on torch only where it is handed tensors. Typical use:

    import repro_trace as rt

    def train(config, args):
        model, opt = ..., torch.optim.Adam(...)
        order = rt.GradOrder(model)                  # hooks: backward's gradient order
        with rt.TraceWriter(args.trace, "my-worker 1.0", config,
                            rt.fingerprint(config["settings"]["device"])) as trace:
            for step in range(config["train"]["steps"]):
                ids, images, labels = ...
                order.reset()
                loss = criterion(model(images), labels)
                opt.zero_grad(); loss.backward(); opt.step()
                rec = rt.StepRecorder(step, ids)
                rec.batch("batch.images", images); rec.batch("batch.labels", labels)
                rec.buffers(model); rec.loss(loss); rec.grads(model, order)
                rec.params(model); rec.optimizer_state(model, opt)
                trace.step(rec)
                if args.dump_step == step:
                    rec.dump(args.dump_dir)
                    if args.stop_after_dump:
                        return                       # the trace stays .partial
            trace.finish()

    if __name__ == "__main__":
        rt.worker_main(train, producer="my-worker 1.0")

worker_main implements the command-line protocol: --fingerprint [--device D],
--config F --trace F [--dump-step K --dump-dir D] [--stop-after-dump] [--quiet], and the
exit codes 0 (done), 2 (bad command line or config, message on stderr), 3 (any other
failure), 77 (skip: reason).
"""

import argparse
import ctypes
import json
import os
import platform
import re
import struct
import sys

import xxhash

FORMAT_VERSION = 2
KINDS = ("batch", "buffer", "loss", "grad", "param", "optimizer")
# torch dtype name -> (trace dtype name, element size)
_DTYPES = {
    "torch.float32": ("float32", 4), "torch.float64": ("float64", 8),
    "torch.int64": ("int64", 8), "torch.int32": ("int32", 4),
    "torch.uint8": ("uint8", 1), "torch.int8": ("int8", 1), "torch.bool": ("bool", 1),
}


class ConfigError(Exception):
    """A bad command line, config or input file: the worker exits 2 with this message."""


class SkipRun(Exception):
    """This run cannot happen here (e.g. no CUDA): exit 77, first stderr line 'skip: ...'."""


# --- digests (docs/trace-format.md, "Digests" and "The step root") -----------------------

def _u64(value):
    return struct.pack("<Q", value)


def _framed(data):
    return _u64(len(data)) + data


def digest(dtype, shape, data):
    """XXH3-128 digest (32 lowercase hex, high half first) of a tensor given as bytes."""
    h = xxhash.xxh3_128()
    h.update(_framed(b"tensor"))
    h.update(_framed(dtype.encode("ascii")))
    h.update(_u64(len(shape)))
    for size in shape:
        h.update(_u64(size))
    h.update(_u64(len(data)))
    h.update(data)
    return h.hexdigest()


def step_root(entries):
    """The step root over [(name, digest_hex), ...] in order (kinds are not included)."""
    h = xxhash.xxh3_128()
    h.update(_framed(b"step"))
    h.update(_u64(len(entries)))
    for name, hex_digest in entries:
        h.update(_framed(name.encode("utf-8")))
        h.update(_u64(int(hex_digest[:16], 16)))
        h.update(_u64(int(hex_digest[16:], 16)))
    return h.hexdigest()


def tensor_bytes(tensor):
    """(trace dtype, shape, raw little-endian row-major bytes) of a torch tensor."""
    t = tensor.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    t = t.contiguous()
    name = str(t.dtype)
    if name not in _DTYPES:
        raise ConfigError(f"tensor dtype {name} has no name in the trace format "
                          "(convert it to float32 first)")
    dtype, size = _DTYPES[name]
    if sys.byteorder != "little" and size > 1:
        raise RuntimeError("repro_trace writes little-endian bytes; this machine is big-endian")
    data = ctypes.string_at(t.data_ptr(), t.numel() * size) if t.numel() else b""
    return dtype, list(t.shape), data


def _non_finite(tensor):
    import torch
    return bool(tensor.is_floating_point() and not torch.isfinite(tensor.detach()).all())


# --- one step ----------------------------------------------------------------------------

class StepRecorder:
    """Collects one step's tensors in the order of docs/trace-format.md and digests them.

    Call, in this order: batch (each input), buffers, loss, grads, params, optimizer_state.
    """

    def __init__(self, step, batch_ids):
        self.step_index = step
        self.batch_ids = [str(i) for i in batch_ids]
        self.entries = []  # (name, kind, dtype, shape, bytes, digest, nonfinite)
        self.loss_entry = None

    def add(self, name, kind, tensor):
        """Adds one torch tensor (kind one of KINDS)."""
        dtype, shape, data = tensor_bytes(tensor)
        return self.add_bytes(name, kind, dtype, shape, data, _non_finite(tensor))

    def add_bytes(self, name, kind, dtype, shape, data, nonfinite=False):
        """Adds one tensor given as raw little-endian row-major bytes (no torch needed)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind}")
        entry = (name, kind, dtype, list(shape), bytes(data), digest(dtype, shape, data),
                 bool(nonfinite))
        self.entries.append(entry)
        if kind == "loss":
            self.loss_entry = entry
        return entry

    def batch(self, name, tensor):
        self.add(name, "batch", tensor)

    def buffers(self, module):
        """Every buffer of `module`, in registration order (forward order for most models)."""
        for name, buf in module.named_buffers():
            self.add(name, "buffer", buf)

    def loss(self, tensor):
        """The 0-dim loss; its bits become loss.bits."""
        if tensor.dim() != 0:
            raise ValueError("the loss must be a 0-dim tensor")
        self.add("loss", "loss", tensor)

    def grads(self, module, order):
        """Gradients in the order backward produced them (a GradOrder), then any other
        parameter with a gradient, in registration order."""
        params = dict(module.named_parameters())
        names = [n for n in order.order() if n in params]
        names += [n for n in params if n not in names]
        for name in names:
            if params[name].grad is not None:
                self.add(name + ".grad", "grad", params[name].grad)

    def params(self, module):
        """Parameters after the optimizer step, in registration order."""
        for name, param in module.named_parameters():
            self.add(name, "param", param)

    def optimizer_state(self, module, optimizer):
        """Optimizer state interleaved per parameter (param order): each parameter's tensor
        states in the optimizer's own order (Adam: exp_avg, exp_avg_sq); Adam's `step`
        counter and non-tensor state are left out."""
        import torch
        for name, param in module.named_parameters():
            state = optimizer.state.get(param)
            if not state:
                continue
            for key, value in state.items():
                if key == "step" or not isinstance(value, torch.Tensor):
                    continue
                self.add(f"{name}.{key}", "optimizer", value)

    def record(self):
        """The step record as a dict (key order as written)."""
        if self.loss_entry is None:
            raise ValueError("a step needs its loss (StepRecorder.loss)")
        _, _, dtype, _, data, _, _ = self.loss_entry
        bits = data[::-1].hex()
        if dtype == "float32":
            value = struct.unpack("<f", data)[0]
        elif dtype == "float64":
            value = struct.unpack("<d", data)[0]
        else:
            raise ValueError("the loss must be float32 or float64")
        if value != value:
            value = "nan"
        elif value in (float("inf"), float("-inf")):
            value = "inf" if value > 0 else "-inf"
        tensors = []
        for name, kind, _, _, _, hex_digest, nonfinite in self.entries:
            tensors.append([name, kind, hex_digest, "nonfinite"] if nonfinite
                           else [name, kind, hex_digest])
        return {"type": "step", "step": self.step_index,
                "loss": {"dtype": dtype, "bits": bits, "value": value},
                "batch_ids": self.batch_ids,
                "root": step_root([(e[0], e[5]) for e in self.entries]),
                "tensors": tensors}

    def dump(self, directory):
        """Writes this step's tensors as a tensor dump (DIR/manifest.json + N.bin)."""
        os.makedirs(directory, exist_ok=True)
        manifest = {"format_version": 1, "step": self.step_index, "tensors": []}
        for i, (name, kind, dtype, shape, data, hex_digest, _) in enumerate(self.entries):
            _write_atomic(os.path.join(directory, f"{i}.bin"), data)
            manifest["tensors"].append({"name": name, "kind": kind, "dtype": dtype,
                                        "shape": shape, "file": f"{i}.bin",
                                        "digest": hex_digest})
        _write_atomic(os.path.join(directory, "manifest.json"),
                      (json.dumps(manifest, indent=1) + "\n").encode())


class GradOrder:
    """Records the order in which backward produces each parameter's gradient (a hook on
    every parameter; fires when the leaf's gradient is computed). Call reset() before each
    backward."""

    def __init__(self, module):
        self._seen = []
        self._handles = []
        for name, param in module.named_parameters():
            if param.requires_grad:
                self._handles.append(param.register_hook(self._hook(name)))

    def _hook(self, name):
        def hook(grad):
            if name not in self._seen:
                self._seen.append(name)
            return None
        return hook

    def reset(self):
        self._seen = []

    def order(self):
        return list(self._seen)


# --- files -------------------------------------------------------------------------------

def _write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class TraceWriter:
    """Writes a trace to PATH.partial line by line; finish() adds the end record and renames
    it to PATH. Leaving the `with` block without finish() (an exception, --stop-after-dump)
    leaves the .partial file."""

    def __init__(self, path, producer, config, fingerprint):
        self.path = path
        self.steps = 0
        self._file = open(path + ".partial", "w", encoding="utf-8")
        self._line({"type": "header", "format_version": FORMAT_VERSION, "producer": producer,
                    "digest_algorithm": "xxh3-128", "config": config,
                    "fingerprint": fingerprint})

    def _line(self, record):
        self._file.write(json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n")
        self._file.flush()

    def step(self, recorder):
        record = recorder.record()
        if record["step"] != self.steps:
            raise ValueError(f"expected step {self.steps}, got {record['step']}")
        self._line(record)
        self.steps += 1

    def timing(self, step, ms):
        self._line({"type": "timing", "step": step, "ms": round(ms, 3)})

    def eval(self, metrics):
        self._line({"type": "eval", "metrics": metrics})

    def finish(self, status="ok"):
        self._line({"type": "end", "steps": self.steps, "status": status})
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.path + ".partial", self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self._file.closed:
            self._file.close()
        return False


# --- fingerprint (docs/trace-format.md, "Fingerprint") -----------------------------------

_RESULT_ENV = ("ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS", "OPENBLAS_CORETYPE",
               "OPENBLAS_L2_SIZE", "LD_LIBRARY_PATH", "CUBLAS_WORKSPACE_CONFIG")


def _loaded_blas():
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if os.path.basename(path).startswith("libblas.so"):
                    return path
    except OSError:
        pass
    return ""


def _blas_build(library):
    folder = os.path.basename(os.path.dirname(library))
    return {"blas": "reference", "blis-pthread": "blis"}.get(folder, folder) if library else ""


def _blas_facts(library, build):
    version, core = "", ""
    try:
        lib = ctypes.CDLL(library) if library else None
    except OSError:
        lib = None
    if lib is not None and build.startswith("openblas"):
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        version = lib.openblas_get_config().decode()
        core = lib.openblas_get_corename().decode()
    elif lib is not None and build == "blis" and hasattr(lib, "bli_info_get_version_str"):
        lib.bli_info_get_version_str.restype = ctypes.c_char_p
        version = "BLIS " + lib.bli_info_get_version_str().decode()
    if not version and build:
        package = {"reference": "libblas3", "atlas": "libatlas3-base"}.get(build, "")
        version = _dpkg_version(package)
        version = f"{package} {version}" if version else ""
    return version, core


def _dpkg_version(package):
    if not package:
        return ""
    try:
        with open("/var/lib/dpkg/status", encoding="utf-8") as status:
            current = None
            for line in status:
                if line.startswith("Package: "):
                    current = line[9:].strip()
                elif current == package and line.startswith("Version: "):
                    return line[9:].strip()
    except OSError:
        pass
    return ""


def _cpu_flags():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _os_name():
    try:
        with open("/etc/os-release", encoding="utf-8") as release:
            for line in release:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def fingerprint(device="cpu"):
    """The environment fingerprint (fingerprint.schema.json) of this process, as our C++
    worker computes it: the BLAS build from the folder of the libblas.so.3 actually loaded,
    the ATen capability from torch.__config__.show()."""
    import torch
    config = torch.__config__.show()
    match = re.search(r"CPU capability usage:\s*([^\n]+)", config)
    capability = match.group(1).strip().lower() if match else ""
    if capability in ("no avx", ""):
        capability = "default" if match else ""
    flags = _cpu_flags()
    supported = ["default"]
    if {"avx2", "fma"} <= flags:
        supported.append("avx2")
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        supported.append("avx512")
    library = _loaded_blas()
    build = _blas_build(library)
    version, core = _blas_facts(library, build)
    cpu = _cpu_model()
    cuda = torch.cuda.is_available()
    reason = "" if cuda else ("libtorch built without CUDA" if not torch.backends.cuda.is_built()
                              else "no CUDA device")
    parallel = re.search(r"ATen parallel backend: ([^\n]+)", torch.__config__.parallel_info())
    libc = platform.libc_ver()
    version_match = re.match(r"\d+\.\d+\.\d+", torch.__version__)
    return {
        "format_version": 1,
        "libtorch_version": version_match.group(0) if version_match else torch.__version__,
        "blas_build": build, "blas_library": library, "blas_version": version,
        "blas_core": core, "cpu_capability": capability,
        "cpu_capabilities_supported": supported, "cpu_model": cpu, "device": device,
        "device_model": torch.cuda.get_device_name(0) if device == "gpu" and cuda else cpu,
        "driver": "", "cuda_available": cuda, "cuda_unavailable_reason": reason,
        "compiler": f"Python {platform.python_version()}",
        "libc": f"{libc[0]} {libc[1]}".strip(), "os": _os_name(), "tbb_version": "",
        "parallel_backend": parallel.group(1).strip() if parallel else "",
        "intra_op_threads": torch.get_num_threads(),
        "inter_op_threads": torch.get_num_interop_threads(),
        "hardware_threads": os.cpu_count() or 0,
        "env": {name: os.environ[name] for name in _RESULT_ENV if name in os.environ},
    }


# --- the command line (docs/trace-format.md, "The worker's command line") ----------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ConfigError(f"command line: {message}")


def parse_args(argv):
    p = _Parser(description="A repro-check worker (docs/trace-format.md).")
    p.add_argument("--fingerprint", action="store_true")
    p.add_argument("--device", default="cpu", choices=["cpu", "gpu"])
    p.add_argument("--config")
    p.add_argument("--trace")
    p.add_argument("--dump-step", type=int)
    p.add_argument("--dump-dir")
    p.add_argument("--stop-after-dump", action="store_true")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if not args.fingerprint and not (args.config and args.trace):
        raise ConfigError("command line: --config and --trace (or --fingerprint) are required")
    if (args.dump_step is None) != (args.dump_dir is None):
        raise ConfigError("command line: --dump-step and --dump-dir go together")
    if args.stop_after_dump and args.dump_step is None:
        raise ConfigError("command line: --stop-after-dump needs --dump-step")
    return args


def load_config(path):
    """The worker config as a dict; ConfigError (exit 2) naming the file when unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: {e}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return config


def worker_main(train, producer, argv=None):
    """Runs the protocol around `train(config, args)` and exits with the contract's code."""
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        if args.fingerprint:
            print(json.dumps(fingerprint(args.device), indent=2))
            sys.exit(0)
        train(load_config(args.config), args)
    except ConfigError as e:
        print(f"{os.path.basename(sys.argv[0])}: error: {e}", file=sys.stderr)
        sys.exit(2)
    except SkipRun as e:
        print(f"skip: {e}", file=sys.stderr)
        sys.exit(77)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: B902 - any other failure is a runtime failure
        print(f"{os.path.basename(sys.argv[0])}: failure: {type(e).__name__}: {e}",
              file=sys.stderr)
        sys.exit(3)
    sys.exit(0)
