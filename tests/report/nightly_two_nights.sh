#!/usr/bin/env bash
# ctest: ci/nightly.sh on two consecutive fake nights (REPRO_NOW) of the smoke suite in a
# scratch project; night 2 adds threads=2, which diverges. The report's first section must
# name that new divergence and the setting responsible; the page is kept for the Chromium
# test (fixture `nightly_report`).
# Usage: nightly_two_nights.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
src=$1 build=$2 work=$3
rm -rf "$work" && mkdir -p "$work/root/suites"
cp "$src/suites/smoke.json" "$work/root/suites/"
export REPRO_BUILD_DIR="$build" REPRO_ROOT="$work/root" REPRO_NIGHTLY_SUITE=smoke
export REPRO_NIGHTLY_PROPERTIES=0

REPRO_NOW=2026-02-01T03:00:00Z REPRO_NIGHTLY_ARGS="--axis threads=1 --axis seed=1" \
  "$src/ci/nightly.sh" "$work/night1" > "$work/night1.log" 2>&1 \
  || { cat "$work/night1.log"; echo "FAIL: night 1"; exit 1; }
set +e
REPRO_NOW=2026-02-02T03:00:00Z REPRO_NIGHTLY_ARGS="--axis threads=1,2 --axis seed=1" \
  "$src/ci/nightly.sh" "$work/night2" > "$work/night2.log" 2>&1
rc=$?
set -e
# threads is not declared invariant in smoke: its divergence is reported, not failed.
[ "$rc" -eq 0 ] || { cat "$work/night2.log"; echo "FAIL: night 2 exit $rc"; exit 1; }

page="$work/night2/index.html"
[ -s "$page" ] || { echo "FAIL: no $page"; exit 1; }
/usr/bin/python3 - "$page" "$work/night2/report.md" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
# The first <h2> of the page is "What changed since the previous night" ...
headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
assert headings and headings[0] == "What changed since the previous night", headings[:2]
section = page[page.index(headings[0]):page.index("<h2", page.index(headings[0]) + 1)]
# ... and it names the new divergence, its cell and the setting responsible.
row = re.search(r'<tr class="kind-new-divergence"><td>new divergence</td><td><code>([^<]*)</code>'
                r'</td><td>([^<]*)</td><td>([^<]*)</td>', section)
assert row, section
cell, setting, what = row.groups()
assert "threads=2" in cell, cell
assert setting == "threads 1→2", setting
assert "step" in what, what
assert "Compared with 2026-02-01T03:00:00Z" in section, section
markdown = open(sys.argv[2], encoding="utf-8").read()
assert "| new divergence | `" in markdown and "threads 1→2" in markdown, markdown
print(f"first section names the new divergence: {cell} ({setting}): {what}")
# What the divergence does to the model: the pixel count and the strip of predicted masks.
strip = re.search(r'<div class="strip" data-setting="threads"><p><b>threads 1→2</b>: (\d+) of '
                  r'(\d+) validation pixels', page)
assert strip and int(strip.group(2)) > 0, "no predicted-mask strip for threads 1→2"
assert page.count("data:image/png;base64,") >= 3, "the strip lacks input and both masks"
print(f"predicted masks: threads 1→2 changes {strip.group(1)} of {strip.group(2)} pixels")
PY
echo "PASS"
