#!/usr/bin/env bash
# Side-by-side wall time of `repro-check --matrix cpu` for two builds, runs interleaved
# (docs/benchmarks.md, "Per-cell overhead").
#
# Usage: tests/benchmarks/matrix_ab.sh OLD_BIN_DIR NEW_BIN_DIR [ROUNDS]
#   e.g. git worktree add ../base main && build it, then
#        tests/benchmarks/matrix_ab.sh ../base/build/bin build/bin 3
# Both builds run this checkout's suites and goldens (a scratch root linking suites/ and
# golden/), without history. Prints each run's wall time and load average, then medians.
set -euo pipefail
old="$(cd "$1" && pwd)" new="$(cd "$2" && pwd)" rounds="${3:-3}"
src="$(cd "$(dirname "$0")/../.." && pwd)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
ln -s "$src/suites" "$root/suites"
ln -s "$src/golden" "$root/golden"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A times
for ((r = 1; r <= rounds; r++)); do
  for side in old new; do
    bin="$old"; [ "$side" = new ] && bin="$new"
    start=$(date +%s.%N)
    rc=0
    "$bin/repro-check" --matrix cpu --root "$root" --no-history -q >/dev/null 2>&1 || rc=$?
    t=$(echo "$(date +%s.%N) - $start" | bc)
    printf 'round %d %s: %.2f s (exit %d, load %s)\n' "$r" "$side" "$t" "$rc" "$(cut -d' ' -f1 /proc/loadavg)"
    times[$side]+="$t "
  done
done
mo="$(printf '%s\n' ${times[old]} | median)" mn="$(printf '%s\n' ${times[new]} | median)"
echo "median old: $mo s, new: $mn s"
awk -v o="$mo" -v n="$mn" 'BEGIN { printf "old/new: %.2f\n", o / n }'
