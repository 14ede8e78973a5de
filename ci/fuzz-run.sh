#!/bin/sh
# ci/fuzz-run.sh FUZZER SEEDS SECONDS [RUNS]: runs one libFuzzer target from the seed folder
# for SECONDS (or RUNS executions when given), keeping every new input in a scratch folder
# (the committed seeds are only read). Exit 0 when nothing crashed; otherwise the failing
# input is kept and its path printed.
set -eu
fuzzer=$1
seeds=$2
seconds=$3
runs=${4:-}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/repro-fuzz-run.XXXXXX")
limit="-max_total_time=$seconds"
if [ -n "$runs" ]; then
  limit="-runs=$runs"
fi
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$fuzzer" "$limit" -timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$scratch/" "$scratch" "$seeds" 2>"$scratch/log"
rc=$?
set -e
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$scratch/log" || true
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$scratch/log"
  echo "fuzz-run: $(basename "$fuzzer") failed (exit $rc); inputs and log kept in $scratch" >&2
  exit 1
fi
rm -rf "$scratch"
