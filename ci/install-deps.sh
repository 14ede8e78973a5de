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
  # worker environments: ci/debian13-env.sh builds a Debian 13 root, bwrap enters it
  debootstrap bubblewrap
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
