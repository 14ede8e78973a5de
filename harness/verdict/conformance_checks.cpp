// Conformance checks: each group of protocol rules, checked by running the worker.
#include "harness/verdict/conformance_checks.hpp"

#include <algorithm>

#include "harness/trace/contract_schemas.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_parse.hpp"

namespace repro::conformance {

namespace fs = std::filesystem;

void check_fingerprint(const ConformanceOptions& o, Rules& rules) {
  WorkerCall call =
      call_worker(o, {"--fingerprint", "--device", "cpu"}, o.work_dir / "fingerprint");
  auto& exit_rule = rules.add("fingerprint.exit", "`--fingerprint --device cpu` exits 0");
  if (!call.result.started || call.result.exit_code != 0) {
    fail(exit_rule, "--fingerprint", exit_text(call));
    rules.skip("fingerprint.schema",
               "stdout is one JSON object conforming to fingerprint.schema.json",
               "fingerprint.exit");
    rules.skip("fingerprint.device", "it describes the device asked for (cpu)", "fingerprint.exit");
    return;
  }
  auto& schema_rule = rules.add("fingerprint.schema",
                                "stdout is one JSON object conforming to fingerprint.schema.json");
  nlohmann::json fp;
  try {
    fp = parse_json_strict(call.stdout_text, "--fingerprint");
    for (const auto& v : contract_schema("fingerprint.schema.json").violations(fp)) {
      fail(schema_rule, join_field("fingerprint", v.field), v.rule);
    }
  } catch (const Error& e) {
    fail(schema_rule, "stdout", "not one JSON document: " + e.message());
  }
  auto& device_rule = rules.add("fingerprint.device", "it describes the device asked for (cpu)");
  if (!fp.is_object() || fp.value("device", "") != "cpu") {
    fail(device_rule, "fingerprint.device",
         "expected \"cpu\", found " + (fp.is_object() && fp.contains("device")
                                           ? fp["device"].dump()
                                           : std::string("nothing")));
  }
}

TraceRun run_training(const ConformanceOptions& o, const nlohmann::json& config,
                      const fs::path& dir, Rules* rules) {
  TraceRun out;
  std::error_code ec;
  fs::create_directories(dir, ec);
  write_file_atomic(dir / "config.json", config.dump(2) + "\n");
  const fs::path trace_path = dir / "trace.jsonl";
  WorkerCall call = call_worker(
      o, {"--config", (dir / "config.json").string(), "--trace", trace_path.string()}, dir);
  const bool exited = call.result.started && call.result.exit_code == 0;
  if (rules != nullptr) {
    auto& r = rules->add("run.exit", "a run (`--config FILE --trace FILE`) exits 0");
    if (!exited) {
      fail(r, "--config", exit_text(call));
    }
  }
  if (!exited) {
    return out;
  }
  std::vector<Deviation> deviations;
  if (!fs::exists(trace_path)) {
    deviations.push_back({"run.trace", trace_path.string(),
                          fs::exists(trace_path.string() + ".partial")
                              ? "only trace.jsonl.partial exists: rename it after the end record"
                              : "no trace was written at the --trace path"});
  } else if (fs::exists(trace_path.string() + ".partial")) {
    deviations.push_back({"run.trace", trace_path.string() + ".partial",
                          "left behind: write to .partial and rename it, never copy"});
  }
  std::vector<Deviation> trace_deviations;
  if (deviations.empty()) {
    trace_deviations = validate_trace_file(trace_path);
    for (auto& d : trace_deviations) {
      if (d.rule == "trace.complete") {
        d.rule = "run.trace";
        deviations.push_back(d);
      }
    }
    std::erase_if(trace_deviations, [](const Deviation& d) { return d.rule == "run.trace"; });
  }
  if (rules != nullptr) {
    auto& r = rules->add("run.trace",
                         "a complete trace at the --trace path (written as .partial, renamed "
                         "after the end record)");
    r.deviations = deviations;
    const std::pair<const char*, const char*> k_trace_rules[] = {
        {"trace.schema", "every line conforms to trace-record.schema.json"},
        {"trace.fingerprint", "the header's fingerprint conforms to fingerprint.schema.json"},
        {"trace.reader",
         "the reader's rules: root recomputes, steps consecutive from 0, end "
         "counts the steps"},
        {"trace.order",
         "tensors in contract order: batch, buffer, loss, grad, param, optimizer "
         "(interleaved per parameter)"},
        {"trace.loss", "the `loss` tensor's digest matches loss.bits"}};
    for (const auto& [rule, description] : k_trace_rules) {
      if (!deviations.empty()) {
        rules->skip(rule, description, "run.trace");
        continue;
      }
      auto& tr = rules->add(rule, description);
      for (const auto& d : trace_deviations) {
        if (d.rule == rule) {
          tr.deviations.push_back(d);
        }
      }
    }
  }
  if (!deviations.empty() || !trace_deviations.empty()) {
    return out;
  }
  out.trace = read_trace(trace_path);
  out.ok = true;
  return out;
}

std::string first_difference(const Trace& a, const Trace& b) {
  size_t n = std::min(a.steps.size(), b.steps.size());
  for (size_t s = 0; s < n; ++s) {
    const auto& x = a.steps[s];
    const auto& y = b.steps[s];
    if (x.root == y.root && x.loss_bits == y.loss_bits && x.batch_ids == y.batch_ids) {
      continue;
    }
    std::string at = "step " + std::to_string(s);
    for (size_t i = 0; i < std::min(x.tensors.size(), y.tensors.size()); ++i) {
      if (x.tensors[i] != y.tensors[i]) {
        return at + ": " + x.tensors[i].name;
      }
    }
    if (x.batch_ids != y.batch_ids) {
      return at + ": batch_ids";
    }
    return at + (x.loss_bits != y.loss_bits ? ": loss.bits" : ": tensor list");
  }
  if (a.steps.size() != b.steps.size()) {
    return "step count " + std::to_string(a.steps.size()) + " vs " + std::to_string(b.steps.size());
  }
  return "";
}

void check_dump(const ConformanceOptions& o, const Trace& reference, int step, Rules& rules) {
  const fs::path dir = o.work_dir / "dump";
  const fs::path dump_dir = dir / ("dump-step-" + std::to_string(step));
  std::error_code ec;
  fs::create_directories(dump_dir, ec);
  write_file_atomic(dir / "config.json", o.config_json.dump(2) + "\n");
  const fs::path trace_path = dump_dir / "trace.jsonl";
  WorkerCall call = call_worker(
      o,
      {"--config", (dir / "config.json").string(), "--trace", trace_path.string(), "--dump-step",
       std::to_string(step), "--dump-dir", dump_dir.string(), "--stop-after-dump"},
      dir);
  auto& exit_rule =
      rules.add("dump.exit", "`--dump-step K --dump-dir DIR --stop-after-dump` exits 0");
  const char* k_stop = "with --stop-after-dump it stops after step K: no complete trace at --trace";
  const char* k_manifest =
      "DIR/manifest.json conforms to tensor-dump.schema.json and every file matches its digest";
  const char* k_matches = "the dump holds the trace's step K: same names, kinds, order and digests";
  if (!call.result.started || call.result.exit_code != 0) {
    fail(exit_rule, "--dump-step", exit_text(call));
    rules.skip("dump.stop", k_stop, "dump.exit");
    rules.skip("dump.manifest", k_manifest, "dump.exit");
    rules.skip("dump.matches-trace", k_matches, "dump.exit");
    return;
  }
  auto& stop_rule = rules.add("dump.stop", k_stop);
  if (fs::exists(trace_path)) {
    fail(stop_rule, trace_path.string(),
         "a complete trace was written: the worker went on after the dump");
  }
  auto& manifest_rule = rules.add("dump.manifest", k_manifest);
  TensorDump dump;
  try {
    dump = read_tensor_dump(dump_dir);
  } catch (const Error& e) {
    fail(manifest_rule, e.file() + (e.field().empty() ? "" : ": " + e.field()), e.message());
    rules.skip("dump.matches-trace", k_matches, "dump.manifest");
    return;
  }
  auto& match_rule = rules.add("dump.matches-trace", k_matches);
  if (dump.step != step) {
    fail(match_rule, "manifest.step",
         "expected " + std::to_string(step) + ", found " + std::to_string(dump.step));
  }
  const auto& traced = reference.steps.at(static_cast<size_t>(step)).tensors;
  if (dump.tensors.size() != traced.size()) {
    fail(match_rule, "manifest.tensors",
         std::to_string(dump.tensors.size()) + " tensors, the trace's step lists " +
             std::to_string(traced.size()));
  }
  for (size_t i = 0; i < std::min(dump.tensors.size(), traced.size()); ++i) {
    const auto& d = dump.tensors[i];
    const auto& t = traced[i];
    const std::string where = "manifest.tensors[" + std::to_string(i) + "]";
    if (d.name != t.name || d.kind != t.kind) {
      fail(match_rule, where,
           "'" + d.name + "' (" + std::string(to_string(d.kind)) + "), the trace has '" + t.name +
               "' (" + std::string(to_string(t.kind)) + ") here");
    } else if (digest_tensor(d.dtype, d.shape, d.bytes) != t.digest) {
      fail(match_rule, where, "'" + d.name + "': the dumped bytes differ from the traced digest");
    }
  }
}

void check_bad_config(const ConformanceOptions& o, Rules& rules) {
  const fs::path dir = o.work_dir / "bad-config";
  std::error_code ec;
  fs::create_directories(dir, ec);
  write_file_atomic(dir / "config.json", "{\"model\": \n");
  const fs::path trace_path = dir / "trace.jsonl";
  WorkerCall call = call_worker(
      o, {"--config", (dir / "config.json").string(), "--trace", trace_path.string()}, dir);
  auto& r = rules.add("config.rejected",
                      "a config that is not JSON ends with exit 2 and a message on stderr");
  if (!call.result.started || call.result.exit_code != 2) {
    fail(r, "--config", "expected exit 2, got " + exit_text(call));
  } else if (call.stderr_tail.empty()) {
    fail(r, "stderr", "exit 2 without a message naming the file");
  }
  if (fs::exists(trace_path)) {
    fail(r, trace_path.string(), "a complete trace was written for a config that is not JSON");
  }
}

}  // namespace repro::conformance
