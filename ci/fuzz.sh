#!/bin/sh
# ci/fuzz.sh: libFuzzer targets of the input parsers (tests/fuzz/, docs/fuzzing.md).
#   ci/fuzz.sh build [DIR]            configure and build DIR (default build-fuzz) with clang++-14
#   ci/fuzz.sh smoke [DIR] [SECONDS]  every target for SECONDS (default 30) from its seeds
#   ci/fuzz.sh long TARGET RUNS [DIR] one target for RUNS executions (e.g. suite 1000000)
#   ci/fuzz.sh seeds [DIR]            regenerate tests/fuzz/corpus/ with make_fuzz_seeds
# Needs clang-14 and libclang-rt-14-dev (libFuzzer, ASan, UBSan runtimes): ci/install-deps.sh.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
targets="suite golden trace tensor_dump jpeg png"
clang=$(command -v clang++-14 || command -v clang++ || true)

build() {
  dir=$1
  if [ -z "$clang" ]; then
    echo "ci/fuzz.sh: no clang++ (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 2
  fi
  generator=""
  if command -v ninja >/dev/null 2>&1; then
    generator="-G Ninja"
  fi
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    # shellcheck disable=SC2086
    cmake -S "$here/tests/fuzz" -B "$dir" $generator -DCMAKE_CXX_COMPILER="$clang" >/dev/null
  fi
  cmake --build "$dir" -j "${FUZZ_JOBS:-2}"
}

command=${1:-smoke}
case "$command" in
  build)
    build "${2:-$here/build-fuzz}"
    ;;
  smoke)
    dir=${2:-$here/build-fuzz}
    seconds=${3:-30}
    build "$dir"
    for t in $targets; do
      echo "== fuzz_$t ($seconds s)"
      "$here/ci/fuzz-run.sh" "$dir/fuzz_$t" "$here/tests/fuzz/corpus/$t" "$seconds"
    done
    ;;
  long)
    target=$2
    runs=$3
    dir=${4:-$here/build-fuzz}
    build "$dir"
    "$here/ci/fuzz-run.sh" "$dir/fuzz_$target" "$here/tests/fuzz/corpus/$target" 0 "$runs"
    ;;
  seeds)
    dir=${2:-$here/build-fuzz}
    build "$dir"
    "$dir/make_fuzz_seeds" "$here"
    ;;
  *)
    echo "usage: ci/fuzz.sh build|smoke|long|seeds (see the comment at the top)" >&2
    exit 2
    ;;
esac
