#!/usr/bin/env bash
# ctest: a suite run unsharded and as N shards; `repro-check merge` of the shards must give
# the unsharded report (timings aside), the baseline once; every JSON report must validate
# against docs/schemas/report.schema.json and every JUnit file against the Jenkins xunit XSD.
# Usage: merge_equality.sh REPRO_CHECK SOURCE_DIR WORK_DIR SUITE SHARDS [RUN OPTION...]
# Run options (e.g. --require-golden=portable --skip-without-golden) go to every run; the
# merged report must apply the same golden gate as the unsharded one. Pass --localize or
# --no-localize: the default localizes only when it looks cheap, which depends on the load.
set -euo pipefail
bin=$1 src=$2 work=$3 suite=$4 shards=$5
shift 5
gate=("$@")
. "$src/tests/report/tool_or_skip.sh"
need xmllint "Debian libxml2-utils"
py=/usr/bin/python3
"$py" -c "import jsonschema" 2>/dev/null || need python3-jsonschema "Debian python3-jsonschema"

rm -rf "$work" && mkdir -p "$work/root/suites"
cp "$src/suites/$suite.json" "$work/root/suites/"
run() { "$bin" --root "$work/root" --quiet run --suite "$suite" --no-history "${gate[@]}" "$@"; }
set +e
run --json "$work/full.json" --junit "$work/full.xml" > "$work/full.txt"
full_rc=$?
shard_files=()
for ((i = 0; i < shards; i++)); do
  run --shard "$i/$shards" --json "$work/shard$i.json" --junit "$work/shard$i.xml" \
    > "$work/shard$i.txt"
  shard_files+=("$work/shard$i.json")
done
"$bin" merge "${shard_files[@]}" --json "$work/merged.json" --junit "$work/merged.xml" \
  --markdown "$work/merged.md" > "$work/merged.txt"
merged_rc=$?
set -e
echo "unsharded exit $full_rc, merged exit $merged_rc"
[ "$full_rc" -eq "$merged_rc" ] || { echo "FAIL: exit codes differ"; exit 1; }
"$py" "$src/tests/report/compare_reports.py" "$work/full.json" "$work/merged.json"

# The baseline appears once in the merged JUnit, and every testcase name is unique.
baselines=$(grep -c '<testcase [^>]*name="[^"]*"' "$work/merged.xml")
cells=$("$py" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['cells']))" "$work/full.json")
[ "$baselines" -eq "$cells" ] || { echo "FAIL: $baselines testcases for $cells cells"; exit 1; }
dupes=$(grep -o '<testcase [^>]*name="[^"]*"' "$work/merged.xml" | sort | uniq -d)
[ -z "$dupes" ] || { echo "FAIL: duplicate testcases: $dupes"; exit 1; }

# Refusals: a shard twice, and a shard of another plan.
if "$bin" merge "$work/shard0.json" "$work/shard0.json" > "$work/dup.txt" 2>&1; then
  echo "FAIL: merge accepted shard 0 twice"; exit 1
fi
grep -q "shard 0 is also" "$work/dup.txt"
"$py" - "$work/shard0.json" "$work/other.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
report["plan"]["hash"] = "0" * 32
json.dump(report, open(sys.argv[2], "w"))
PY
other=("$work/other.json" "${shard_files[@]:1}")
if "$bin" merge "${other[@]}" > "$work/mismatch.txt" 2>&1; then
  echo "FAIL: merge accepted shards of different plans"; exit 1
fi
grep -q "plan.hash" "$work/mismatch.txt"

"$py" "$src/tests/report/validate_json.py" "$src/docs/schemas/report.schema.json" "$work"/*.json
xmllint --noout --schema "$src/tests/data/junit-10.xsd" "$work"/*.xml
if [ "${#gate[@]}" -gt 0 ]; then
  # The gate is part of the plan each shard carries, so the merged report states it too.
  "$py" - "$work/merged.json" "${gate[@]}" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))["plan"]
options = sys.argv[2:]
want = "portable" if "--require-golden=portable" in options else plan["require_golden"]
assert plan["require_golden"] == want, plan
assert plan["skip_without_golden"] == ("--skip-without-golden" in options), plan
PY
fi
echo "PASS: merge of $shards shards equals the unsharded $suite report"
