#!/usr/bin/env bash
# ctest: opens the nightly report (written by nightly_two_nights.sh) in headless Chromium,
# offline, and fails on any script error or chart that did not render; keeps a screenshot.
# Usage: chromium_render.sh SOURCE_DIR PAGE.html OUT_DIR
set -euo pipefail
src=$1 page=$2 out=$3
. "$src/tests/report/tool_or_skip.sh"
need chromium "Debian chromium"
[ -s "$page" ] || { echo "FAIL: no page $page (run the nightly_two_nights test first)"; exit 1; }
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-dev-shm-usage --user-data-dir="$profile" --virtual-time-budget=15000)
timeout 120 chromium "${flags[@]}" --dump-dom "file://$(realpath "$page")" \
  > "$out/nightly-dom.html" 2> "$out/chromium-dom.log" || true
timeout 120 chromium "${flags[@]}" --window-size=1400,4000 \
  --screenshot="$out/nightly-report.png" "file://$(realpath "$page")" \
  > /dev/null 2> "$out/chromium-screenshot.log" || true
/usr/bin/python3 - "$out/nightly-dom.html" "$out/nightly-report.png" <<'PY'
import os, re, sys
dom = open(sys.argv[1], encoding="utf-8", errors="replace").read()
assert "<body" in dom, "Chromium dumped no DOM (see chromium-dom.log)"
error = re.search(r'data-repro-error="([^"]*)"', dom)
assert not error, "script error on the page: " + (error.group(1) if error else "")
expected = re.search(r'data-charts-expected="(\d+)"', dom)
rendered = re.search(r'data-charts-rendered="(\d+)"', dom)
assert expected and int(expected.group(1)) > 0, "no charts expected on the page"
assert rendered, "charts did not finish rendering (no data-charts-rendered)"
assert rendered.group(1) == expected.group(1), (rendered.group(1), expected.group(1))
# Every chart container holds an SVG with drawn marks.
for chart in re.findall(r'<div class="chart[^"]*" id="([^"]+)"', dom):
    start = dom.index(f'id="{chart}"')
    nxt = dom.find('<div class="chart', start + 1)
    body = dom[start: nxt if nxt != -1 else len(dom)]
    assert "<svg" in body, f"chart {chart}: no SVG"
    marks = len(re.findall(r'class="mark-(?:rect|line|symbol|area|text)', body))
    assert marks > 0, f"chart {chart}: no marks drawn"
    print(f"chart {chart}: rendered ({marks} mark groups)")
# The image strip: every picture (input, both cells' masks) decoded.
images = len(re.findall(r"<img src=\"data:image/png;base64,", dom))
decoded = re.search(r'data-images-decoded="(\d+)"', dom)
assert images > 0, "no image strip of predicted masks"
assert decoded and int(decoded.group(1)) == images, (images, decoded and decoded.group(1))
print(f"image strip: {images} pictures decoded")
shot = sys.argv[2]
assert os.path.exists(shot) and os.path.getsize(shot) > 10000, "no screenshot"
print(f"screenshot: {shot} ({os.path.getsize(shot)} bytes)")
PY
echo "PASS"
