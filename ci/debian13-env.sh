#!/usr/bin/env bash
# Builds (or reuses) the `debian13` worker environment: a Debian 13 root with libtorch 2.6 and our worker built inside it.
#
# Usage:
#   ci/debian13-env.sh            build what is missing, print where the environment is (idempotent;
#                                 a second run takes seconds)
#   ci/debian13-env.sh --locate   build nothing; print the environment folder when it is built for
#                                 this checkout's sources, else exit 3 with the reason on stderr
#   ci/debian13-env.sh --help
#
# Two cached stages, each built in a *.partial folder and renamed when complete:
#   root-<K>    `debootstrap --variant=minbase trixie` from the mirror this machine's apt uses
#               (read from /etc/apt/sources.list.d/debian.sources at run time), plus the packages
#               in ci/debian13-packages.txt. K hashes the package list and k_root_recipe below.
#   worker-<S>  repro-worker built inside that root from this checkout. S hashes K, this script
#               and every file the worker's build reads (CMakeLists.txt, cmake/, harness/,
#               models/, docs/schemas/). The build itself happens in build-<K>/ (kept, so a
#               source change rebuilds only what it touches; started afresh when another
#               checkout built there last), then bin/repro-worker is copied into worker-<S>/;
#               the 8 newest worker-<S>/ are kept. A damaged root is built again.
# Cache: $REPRO_CHECK_ENV_CACHE, else /var/cache/repro-check when writable, else
# ${XDG_CACHE_HOME:-~/.cache}/repro-check; this environment lives in its debian13/ folder.
# Building needs root (debootstrap) and the mirror; entering needs bwrap (package bubblewrap).
# Exit codes: 0 ready, 2 usage, 3 cannot be built here (reason on stderr), 1 a step failed.
set -euo pipefail

readonly k_root_recipe="trixie minbase v1"
readonly k_suite="trixie"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/.." && pwd)"
mode="build"
case "${1:-}" in
  "") ;;
  --locate) mode="locate" ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "debian13-env: unknown argument '$1' (try --help)" >&2
    exit 2
    ;;
esac

cannot() {
  echo "debian13-env: cannot build here: $*" >&2
  exit 3
}

cache_base() {
  if [ -n "${REPRO_CHECK_ENV_CACHE:-}" ]; then
    echo "$REPRO_CHECK_ENV_CACHE"
  elif mkdir -p /var/cache/repro-check 2>/dev/null && [ -w /var/cache/repro-check ]; then
    echo /var/cache/repro-check
  else
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/repro-check"
  fi
}

# The Debian mirror this machine's apt already uses (never a hard-coded host).
mirror_url() {
  if [ -n "${REPRO_DEBIAN_MIRROR:-}" ]; then
    echo "$REPRO_DEBIAN_MIRROR"
    return
  fi
  local f=/etc/apt/sources.list.d/debian.sources url=""
  if [ -r "$f" ]; then
    url="$(awk 'tolower($1)=="uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")"
  fi
  if [ -z "$url" ] && [ -r /etc/apt/sources.list ]; then
    url="$(awk '$1=="deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(http|https|file):/) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  [ -n "$url" ] || cannot "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list (set REPRO_DEBIAN_MIRROR)"
  echo "$url"
}

packages() {
  grep -v '^[[:space:]]*\(#\|$\)' "$here/debian13-packages.txt"
}

root_key() {
  { echo "$k_root_recipe"; packages; } | sha256sum | cut -c1-16
}

# Everything that decides what the worker binary is: the root, this script, and every file the
# worker's build reads (its sources, CMake files, templates, and the JSON Schemas compiled in).
source_key() {
  {
    echo "root $(root_key)"
    cd "$src"
    find CMakeLists.txt cmake harness models docs/schemas "ci/$(basename "$0")" -type f -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
}

# A complete root: debootstrap and the packages finished (a root only gets its final name
# then, so this fails only for one damaged by hand or by a full disk).
root_ok() {
  [ -x "$1/usr/bin/env" ] && [ -x "$1/usr/bin/cmake" ] && [ -d "$1/usr/include/torch" ]
}

# Runs a command inside the root (bwrap when present, else chroot with /proc and /dev mounted).
in_root() {
  local root="$1"
  shift
  if command -v bwrap >/dev/null; then
    bwrap --bind "$root" / --proc /proc --dev /dev --tmpfs /tmp \
      --ro-bind /etc/resolv.conf /etc/resolv.conf "${extra_binds[@]}" \
      --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv HOME /root "$@"
  else
    chroot "$root" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
  fi
}
extra_binds=()

base="$(cache_base)/debian13"
rkey="$(root_key)"
root="$base/root-$rkey"
skey="$(source_key)"
worker="$base/worker-$skey"

if [ "$mode" = "locate" ]; then
  [ -d "$root" ] || cannot "the Debian 13 root is not built ($root missing): run ci/debian13-env.sh"
  root_ok "$root" || cannot "the Debian 13 root $root is incomplete: run ci/debian13-env.sh (it rebuilds it)"
  [ -x "$worker/bin/repro-worker" ] ||
    cannot "the worker is not built for this checkout ($worker missing): run ci/debian13-env.sh"
  echo "$worker"
  exit 0
fi

start=$(date +%s)
mkdir -p "$base" 2>/dev/null || cannot "cannot create the cache folder $base"

# Stage 1: the root (rebuilt when damaged).
if [ -d "$root" ] && ! root_ok "$root"; then
  echo "debian13-env: $root is incomplete: building it again"
  rm -rf "$root" "$worker"
fi
if [ ! -d "$root" ]; then
  [ "$(id -u)" -eq 0 ] || cannot "debootstrap needs root (run as root, or set REPRO_CHECK_ENV_CACHE to a cache built elsewhere)"
  command -v debootstrap >/dev/null || cannot "debootstrap is not installed (ci/install-deps.sh installs it)"
  mirror="$(mirror_url)"
  partial="$root.partial"
  rm -rf "$partial"
  echo "debian13-env: debootstrap --variant=minbase $k_suite from $mirror (about 6 minutes)"
  if ! debootstrap --variant=minbase "$k_suite" "$partial" "$mirror" >"$base/debootstrap.log" 2>&1; then
    tail -5 "$base/debootstrap.log" >&2
    cannot "debootstrap $k_suite from $mirror failed (log: $base/debootstrap.log)"
  fi
  mapfile -t pkgs < <(packages)
  echo "debian13-env: installing ${#pkgs[@]} packages: ${pkgs[*]}"
  in_root "$partial" apt-get update -q >"$base/apt.log" 2>&1 ||
    { tail -5 "$base/apt.log" >&2; exit 1; }
  in_root "$partial" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${pkgs[@]}" >>"$base/apt.log" 2>&1 ||
    { tail -5 "$base/apt.log" >&2; exit 1; }
  in_root "$partial" apt-get clean
  mv "$partial" "$root"
  echo "debian13-env: root built in $(($(date +%s) - start)) s"
fi

# Stage 2: the worker, built inside the root from this checkout (read-only), with -Werror:
# it must compile warning-free against libtorch 2.6 and GCC 14 too.
if [ ! -x "$worker/bin/repro-worker" ]; then
  stage=$(date +%s)
  build="$base/build-$rkey"
  mkdir -p "$build"
  exec 9>"$base/build.lock"
  flock 9  # one build at a time in the shared build folder
  # Ninja rebuilds by file times: after a build from another checkout, files of this one that
  # are older than that build's outputs would not be compiled. Start clean on a change of
  # checkout (one checkout, the usual case, keeps its incremental builds).
  if [ "$(cat "$build/.checkout" 2>/dev/null)" != "$src" ]; then
    rm -rf "$build"
    mkdir -p "$build"
    printf '%s\n' "$src" >"$build/.checkout"
  fi
  echo "debian13-env: building repro-worker against $(in_root "$root" dpkg-query -W -f='libtorch ${Version}' libtorch-dev)"
  extra_binds=(--ro-bind "$src" /src --bind "$build" /build)
  jobs="$(nproc)"
  if ! in_root "$root" sh -c "cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DREPRO_WARNINGS_AS_ERRORS=ON -DREPRO_BUILD_TESTS=OFF -DREPRO_BUILD_BENCHMARKS=OFF -DREPRO_WORKER_ALLOCATOR=system \
      && cmake --build /build -j$jobs --target repro-worker" >"$base/worker-build.log" 2>&1; then
    grep -m1 -B2 -A12 'error' "$base/worker-build.log" >&2 || tail -30 "$base/worker-build.log" >&2
    echo "debian13-env: the worker build failed (log: $base/worker-build.log)" >&2
    exit 1
  fi
  extra_binds=()
  partial="$worker.partial"
  rm -rf "$partial"
  mkdir -p "$partial/bin"
  cp "$build/bin/repro-worker" "$partial/bin/repro-worker"
  # The environment folder names its root, so --locate's answer is all a launcher needs.
  ln -sfn "../root-$rkey" "$partial/root"
  mv "$partial" "$worker"
  # Keep the 8 newest workers (one per source state built): older ones are rebuilt on demand.
  ls -1dt "$base"/worker-*/ 2>/dev/null | grep -v '\.partial/$' | tail -n +9 | xargs -r rm -rf
  flock -u 9
  echo "debian13-env: worker built in $(($(date +%s) - stage)) s"
fi

echo "debian13-env: ready in $(($(date +%s) - start)) s: $worker"
