#!/usr/bin/env bash
# Installs exactly what repro-check needs from Debian's packages (idempotent; sudo when not root).
# Usage: ci/install-deps.sh            (prints what it installs; does nothing when all present)
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ clang-format
  # libraries, through find_package
  libtorch-dev libtbb-dev nlohmann-json3-dev libcli11-dev libssl-dev libsqlite3-dev
  libxxhash-dev libpng-dev libjpeg-dev
  # the worker's allocator (tcmalloc, through pkg-config; models/CMakeLists.txt)
  libgoogle-perftools-dev pkg-config
  # JSON Schema validation of every file read (header-only; docs/schemas/)
  libvalijson-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  # tests/benchmarks/worker_vs_python.sh: the same training in Debian's PyTorch
  python3-torch
  # fuzzing (tests/fuzz, ci/fuzz.sh): clang with libFuzzer, ASan and UBSan runtimes
  clang-14 libclang-rt-14-dev
  # the interchangeable libblas.so.3 builds the `blas` axis switches between
  libblas3 libopenblas0-pthread libopenblas0-openmp libblis4-pthread libatlas3-base
  # JSON on the command line (scripts and contract checks)
  jq
  # the trace contract from Python: tests/contract, python/ (the PyTorch worker, `python` suite)
  python3 python3-xxhash python3-torch
  # worker environments: ci/debian13-env.sh builds a Debian 13 root, bwrap enters it
  debootstrap bubblewrap
  # report tests: JUnit vs the Jenkins xunit XSD, JSON reports vs their JSON Schema, the
  # nightly HTML report in a headless browser
  libxml2-utils python3-jsonschema chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm (for the chart library and validators below): Debian's, unless a Node is installed.
if ! command -v npm >/dev/null 2>&1; then
  for p in nodejs npm; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages pinned by ci/npm/package-lock.json: vega, vega-lite and vega-embed (inlined
# into the nightly HTML report at build time: cmake/ChartLibrary.cmake), and the validators
# the report tests use (@action-validator/cli, kubernetes-models, yaml). Installed into a
# cache folder (CMake's REPRO_NPM_DIR, same default), never into the repository.
npm_dir="${REPRO_NPM_DIR:-$HOME/.cache/repro-check/npm}"
here="$(cd "$(dirname "$0")" && pwd)"
if ! cmp -s "$here/npm/package-lock.json" "$npm_dir/package-lock.json" \
  || [ ! -f "$npm_dir/node_modules/vega/build/vega.min.js" ]; then
  mkdir -p "$npm_dir"
  cp "$here/npm/package.json" "$here/npm/package-lock.json" "$npm_dir/"
  echo "install-deps: npm ci in $npm_dir"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --ignore-scripts)
else
  echo "install-deps: npm packages present in $npm_dir"
fi
