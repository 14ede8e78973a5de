#!/usr/bin/env bash
# Nightly regression run on one machine: property tests with a fresh seed, the sanitizer run
# (ci/sanitize.sh), the suite's run
# (a history row), and the nightly report (HTML with charts, Markdown) over the last
# nights. The GitHub workflow (.github/workflows/nightly.yml) does the same with shards.
# Usage: ci/nightly.sh [OUT_DIR]            (default OUT_DIR: nightly-report)
# Environment, all optional:
#   REPRO_BUILD_DIR             use this build (skip ci/install-deps.sh and the build)
#   REPRO_ROOT                  project root with suites/ and golden/ (default: this checkout);
#                               the history is REPRO_ROOT/.repro/history.sqlite
#   REPRO_NIGHTLY_SUITE         suite to run (default: nightly)
#   REPRO_NIGHTLY_ARGS          more `repro-check run` arguments, e.g. "--axis threads=1,2"
#   REPRO_NOW                   the night's UTC time, e.g. 2026-01-02T03:00:00Z (a fake clock
#                               for tests and replays; default: now)
#   REPRO_SINCE                 report window (default: 14d)
#   REPRO_NIGHTLY_PROPERTIES=0  skip the property tests
#   REPRO_NIGHTLY_SANITIZE=0|1  the ASan + UBSan run (default: 1 unless REPRO_BUILD_DIR is set)
# Exit code: repro-check run's (0 ok, 1 determinism broken, 2 input error, 3
# infrastructure), else 1 when the property tests failed, else the sanitizer run's, else
# the report's.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-nightly-report}"
mkdir -p "$out"
suite="${REPRO_NIGHTLY_SUITE:-nightly}"
root="${REPRO_ROOT:-$PWD}"
build="${REPRO_BUILD_DIR:-}"

if [ -z "$build" ]; then
  ci/install-deps.sh || exit 3
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build || exit 3
  build=build
fi
bin="$build/bin/repro-check"

property_rc=0
if [ "${REPRO_NIGHTLY_PROPERTIES:-1}" != "0" ]; then
  # Fresh RapidCheck seed: printed in the log, so a failure replays with
  # REPRO_PROPERTY_SEED=<seed> ctest --test-dir build -L property
  REPRO_PROPERTY_SEED=fresh ctest --test-dir "$build" -L property --output-on-failure \
    | tee "$out/property.log"
  property_rc=${PIPESTATUS[0]}
fi

sanitize_rc=0
sanitize_default=1
[ -z "${REPRO_BUILD_DIR:-}" ] || sanitize_default=0
if [ "${REPRO_NIGHTLY_SANITIZE:-$sanitize_default}" != "0" ]; then
  # The checker and its tests under ASan + UBSan (docs/testing.md).
  ci/sanitize.sh build-asan "$build" 2>&1 | tee "$out/sanitize.log"
  sanitize_rc=${PIPESTATUS[0]}
fi

# shellcheck disable=SC2086 # REPRO_NIGHTLY_ARGS is a list of arguments on purpose
"$bin" --root "$root" run --suite "$suite" ${REPRO_NIGHTLY_ARGS:-} \
  --json "$out/$suite.json" --junit "$out/$suite.xml" --markdown "$out/$suite.md"
run_rc=$?

"$bin" --root "$root" report --history "$root/.repro/history.sqlite" --suite "$suite" \
  --since "${REPRO_SINCE:-14d}" --html "$out/index.html" --markdown "$out/report.md"
report_rc=$?

if [ "$run_rc" -ne 0 ]; then
  exit "$run_rc"
fi
[ "$property_rc" -eq 0 ] || exit 1
[ "$sanitize_rc" -eq 0 ] || exit "$sanitize_rc"
exit "$report_rc"
