#!/usr/bin/env bash
# Nightly regression run: the nightly suite (full design), properties with a fresh seed,
# the sanitizer run (ci/sanitize.sh), a history row and a self-contained HTML report.
# Usage: ci/nightly.sh [OUT_DIR]
# Exit code: repro-check's (0 ok, 1 determinism broken, 2 input error, 3 infrastructure).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-nightly-report}"
mkdir -p "$out"

ci/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build || exit 3

# Fresh RapidCheck seed: printed in the log, so a failure replays with
# REPRO_PROPERTY_SEED=<seed> ctest --test-dir build -L property
REPRO_PROPERTY_SEED=fresh ctest --test-dir build -L property --output-on-failure \
  | tee "$out/property.log"
property_rc=${PIPESTATUS[0]}

# The checker and its tests under ASan + UBSan (docs/testing.md).
ci/sanitize.sh build-asan build 2>&1 | tee "$out/sanitize.log"
sanitize_rc=${PIPESTATUS[0]}

./build/bin/repro-check run --suite nightly \
  --json "$out/nightly.json" --junit "$out/nightly.xml" --markdown "$out/nightly.md"
run_rc=$?

./build/bin/repro-check history --suite nightly --limit 60 --html "$out/index.html"

if [ "$run_rc" -ne 0 ]; then
  exit "$run_rc"
fi
[ "$property_rc" -eq 0 ] || exit 1
[ "$sanitize_rc" -eq 0 ] || exit "$sanitize_rc"
