#!/usr/bin/env bash
# Worker vs Python step time on the same libtorch: repro-worker fast mode against Debian's
# python3-torch (tests/benchmarks/python_unet_step.py) on the same U-Net workload, runs
# interleaved, medians printed (docs/benchmarks.md, "Worker vs Python").
#
# Usage: tests/benchmarks/worker_vs_python.sh [BUILD_DIR] [ROUNDS] [THREADS]
#   BUILD_DIR  default build        ROUNDS  interleaved worker/python runs, default 5
#   THREADS    default 1            WORKLOAD_WIDTH/DEPTH/SIZE/BATCH/STEPS env vars override
#                                   the workload (default 16/3/64/8/20: vgg, Adam)
# Needs python3-torch (ci/install-deps.sh installs it). Prints per-run medians, then
#   worker fast@T: median step X ms (runs: ...)
#   python fast@T: median step Y ms (runs: ...)
#   worker/python: R
set -euo pipefail
build="${1:-build}"
rounds="${2:-5}"
threads="${3:-1}"
width="${WORKLOAD_WIDTH:-16}" depth="${WORKLOAD_DEPTH:-3}" size="${WORKLOAD_SIZE:-64}"
batch="${WORKLOAD_BATCH:-8}" steps="${WORKLOAD_STEPS:-20}"
here="$(cd "$(dirname "$0")" && pwd)"
worker="$build/bin/repro-worker"
python=/usr/bin/python3
[ -x "$worker" ] || { echo "worker_vs_python: no $worker (build first)" >&2; exit 2; }
"$python" -c "import torch" 2>/dev/null ||
  { echo "worker_vs_python: $python has no torch (apt-get install python3-torch)" >&2; exit 77; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/config.json" <<JSON
{
  "format_version": 1,
  "model": {"variant": "vgg", "width": $width, "depth": $depth, "dropout": 0.1},
  "data": {"source": "synthetic", "count": $((batch * 10)), "image_size": $size, "seed": 7},
  "train": {"steps": $((steps + 2)), "batch_size": $batch, "learning_rate": 0.001, "seed": 1,
            "augment_flip": true, "mode": "fast"},
  "settings": {"device": "cpu", "threads": $threads, "interop_threads": 1, "deterministic": false},
  "eval": {"enabled": false, "max_samples": 0}
}
JSON
# The environment a cell of `threads` gets (harness/run/cell_launch.hpp), for both sides.
run_env=(env -i PATH="$PATH" HOME="$HOME" OMP_NUM_THREADS="$threads"
  OPENBLAS_NUM_THREADS="$threads" BLIS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads")

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

worker_runs=() python_runs=()
for ((r = 1; r <= rounds; r++)); do
  "${run_env[@]}" "$worker" --config "$work/config.json" --trace "$work/trace.jsonl" \
    2>"$work/worker.err" >/dev/null
  # The worker's own median (repro-worker: median step X ms) includes the first steps; take
  # the median of the trace's timing records after 2 warm-up steps, like the Python side.
  w="$(grep '"type":"timing"' "$work/trace.jsonl" | sed 's/.*"step":\([0-9]*\).*"ms":\([0-9.e+-]*\).*/\1 \2/' |
    awk '$1 >= 2 { print $2 }' | median)"
  p="$("${run_env[@]}" "$python" "$here/python_unet_step.py" --width "$width" --depth "$depth" \
    --image-size "$size" --batch "$batch" --steps "$steps" --warmup 2 --threads "$threads" |
    sed 's/.*median step \([0-9.]*\) ms.*/\1/')"
  printf 'round %d: worker %.2f ms, python %.2f ms (load %s)\n' "$r" "$w" "$p" "$(cut -d' ' -f1 /proc/loadavg)"
  worker_runs+=("$w") python_runs+=("$p")
done
wm="$(printf '%s\n' "${worker_runs[@]}" | median)"
pm="$(printf '%s\n' "${python_runs[@]}" | median)"
echo "worker fast@$threads: median step $wm ms (runs: ${worker_runs[*]})"
echo "python fast@$threads: median step $pm ms (runs: ${python_runs[*]})"
awk -v w="$wm" -v p="$pm" 'BEGIN { printf "worker/python: %.3f\n", w / p }'
