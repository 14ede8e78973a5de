// Validates Kubernetes manifests against the Kubernetes OpenAPI schemas bundled in the npm
// package kubernetes-models (ajv under the hood), and checks that the Indexed Job's
// completions equal the shard count N in its command and the merge step's inputs.
// Usage: node validate_k8s.mjs NODE_MODULES_DIR FILE.yaml...   Exit 0 valid, 1 otherwise.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
// CommonJS modules arrive as { default: exports } when imported.
const load = async (p) => {
  const m = await import(pathToFileURL(path.join(modules, p)).href);
  return m.default ?? m;
};
const YAML = await load("yaml/dist/index.js");
const models = {
  "v1/PersistentVolumeClaim": (await load("kubernetes-models/v1/index.js")).PersistentVolumeClaim,
  "batch/v1/Job": (await load("kubernetes-models/batch/v1/index.js")).Job,
};

let failed = false;
const jobs = {};
for (const file of files) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`${file}: YAML: ${doc.errors.map(String).join("; ")}`);
      failed = true;
      continue;
    }
    const object = doc.toJS();
    const Model = models[`${object.apiVersion}/${object.kind}`];
    if (!Model) {
      console.error(`${file}: no schema known here for ${object.apiVersion} ${object.kind}`);
      failed = true;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`${file}: ${object.kind} ${object.metadata.name}: valid`);
      if (object.kind === "Job") {
        jobs[object.metadata.name] = object;
      }
    } catch (error) {
      console.error(`${file}: ${object.kind}: ${error.message}`);
      failed = true;
    }
  }
}
const shards = jobs["repro-check-nightly-shards"];
const merge = jobs["repro-check-nightly-merge"];
if (shards && merge) {
  const n = shards.spec.completions;
  const args = shards.spec.template.spec.containers[0].args.join(" ");
  const mergeArgs = merge.spec.template.spec.containers[0].args.join(" ");
  if (shards.spec.completionMode !== "Indexed" || !args.includes(`\${JOB_COMPLETION_INDEX}/${n}`)) {
    console.error(`shard job: completions ${n} must be the N of --shard "\${JOB_COMPLETION_INDEX}/${n}"`);
    failed = true;
  }
  for (let i = 0; i < n; i++) {
    if (!mergeArgs.includes(`/reports/shard-${i}.json`)) {
      console.error(`merge job: does not merge /reports/shard-${i}.json`);
      failed = true;
    }
  }
  if (mergeArgs.includes(`/reports/shard-${n}.json`)) {
    console.error(`merge job: merges a shard ${n} that the Indexed Job never runs`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
