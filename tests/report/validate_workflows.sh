#!/usr/bin/env bash
# ctest: validates every .github/workflows/*.yml with @action-validator/cli (npm: GitHub's
# workflow JSON schema from SchemaStore, plus glob checks), and the ci/k8s manifests with
# validate_k8s.mjs (the Kubernetes OpenAPI schemas of the npm package kubernetes-models).
# Usage: validate_workflows.sh SOURCE_DIR NODE_MODULES_DIR workflows|k8s
set -euo pipefail
src=$1 modules=$2 what=$3
. "$src/tests/report/tool_or_skip.sh"
need node "Node.js 20"
[ -d "$modules" ] || need "$modules/.bin/action-validator" "npm packages of ci/npm/package.json"
if [ "$what" = k8s ]; then
  exec node "$src/tests/report/validate_k8s.mjs" "$modules" "$src"/ci/k8s/*.yaml
fi
count=0
for workflow in "$src"/.github/workflows/*.yml; do
  node "$modules/@action-validator/cli/cli.mjs" "$workflow"
  echo "$workflow: valid"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "FAIL: no workflows"; exit 1; }
