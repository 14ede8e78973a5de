#!/usr/bin/env bash
# ctest: GitHub Actions behaviour. With GITHUB_ACTIONS=true a failing run prints ::error
# annotations (none without it); --markdown "$GITHUB_STEP_SUMMARY" appends to what earlier
# steps wrote; the JUnit file validates against the Jenkins xunit XSD and carries a
# timestamp and hostname; the JSON report validates against its JSON Schema.
# Usage: github_actions.sh REPRO_CHECK SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
. "$src/tests/report/tool_or_skip.sh"
need xmllint "Debian libxml2-utils"
py=/usr/bin/python3
"$py" -c "import jsonschema" 2>/dev/null || need python3-jsonschema "Debian python3-jsonschema"

rm -rf "$work" && mkdir -p "$work/root/suites"
# A scratch project without goldens: --require-golden fails every cell that ran.
cp "$src/suites/smoke.json" "$work/root/suites/"
summary="$work/step_summary.md"
printf '# Build step\n\nearlier step output\n' > "$summary"
set +e
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$summary" REPRO_NOW=2026-03-04T05:06:07Z \
  "$bin" --root "$work/root" run --suite smoke --axis threads=1 --require-golden --no-history \
  --json "$work/gh.json" --junit "$work/gh.xml" --markdown "$summary" > "$work/gh.out" 2>&1
rc=$?
"$bin" --root "$work/root" run --suite smoke --axis threads=1 --require-golden --no-history \
  > "$work/plain.out" 2>&1
set -e
echo "exit $rc with annotations"
[ "$rc" -eq 1 ] || { cat "$work/gh.out"; echo "FAIL: expected exit 1"; exit 1; }

errors=$(grep -c '^::error file=suites/smoke.json,title=repro-check smoke%3A ' "$work/gh.out" || true)
echo "$errors ::error annotation(s)"
[ "$errors" -ge 1 ] || { cat "$work/gh.out"; echo "FAIL: no ::error annotation"; exit 1; }
grep '^::error' "$work/gh.out" | grep -q 'no golden' \
  || { echo "FAIL: annotation does not say why"; exit 1; }
if grep -q '^::' "$work/plain.out"; then
  echo "FAIL: workflow commands printed outside GitHub Actions"; exit 1
fi

head -1 "$summary" | grep -qx '# Build step' || { echo "FAIL: summary was replaced"; exit 1; }
grep -q 'earlier step output' "$summary" || { echo "FAIL: earlier summary lost"; exit 1; }
grep -q 'smoke' "$summary" || { echo "FAIL: no repro-check summary appended"; exit 1; }

grep -q 'timestamp="2026-03-04T05:06:07"' "$work/gh.xml" || { echo "FAIL: no timestamp"; exit 1; }
grep -q 'hostname="[^"]' "$work/gh.xml" || { echo "FAIL: no hostname"; exit 1; }
if grep -q '<testsuites [^>]*skipped=' "$work/gh.xml"; then
  echo "FAIL: testsuites@skipped is not in the Jenkins xunit schema"; exit 1
fi
xmllint --noout --schema "$src/tests/data/junit-10.xsd" "$work/gh.xml"
"$py" "$src/tests/report/validate_json.py" "$src/docs/schemas/report.schema.json" "$work/gh.json"
echo "PASS"
