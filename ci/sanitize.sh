#!/usr/bin/env bash
# Sanitizer run: the checker and its unit, property and integration tests (and the canaries)
# built with ASan + UBSan (REPRO_SANITIZE=ON, cmake/ReproSanitize.cmake) must run clean.
# libtorch is not instrumented, so the worker comes from a normal build (built here first
# when missing) and is copied beside the instrumented repro-check.
# Usage: ci/sanitize.sh [SANITIZE_BUILD_DIR] [NORMAL_BUILD_DIR]   (defaults build-asan, build)
# Exit code: 0 clean; 1 a test failed or a sanitizer reported; 3 a build failed.
set -uo pipefail
cd "$(dirname "$0")/.."
asan="${1:-build-asan}"
normal="${2:-build}"
jobs="${REPRO_JOBS:-2}"

if [ ! -x "$normal/bin/repro-worker" ]; then
  cmake -S . -B "$normal" -G Ninja && cmake --build "$normal" -j "$jobs" --target repro-worker \
    || exit 3
fi
cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DREPRO_SANITIZE=ON \
  -DREPRO_BUILD_BENCHMARKS=OFF || exit 3
cmake --build "$asan" -j "$jobs" || exit 3
cp "$normal/bin/repro-worker" "$asan/bin/repro-worker" || exit 3

# Any ASan or UBSan report aborts the process that made it, so it fails its test.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$asan" -j "$jobs" --output-on-failure -L 'unit|property|integration|canary' \
  || exit 1
