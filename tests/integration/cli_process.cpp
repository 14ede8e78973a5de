// Integration helpers: spawn repro-check, build scratch projects from the smoke suite.
#include "tests/integration/cli_process.hpp"

#include "harness/plan/worker_probe.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/subprocess.hpp"
#include "tests/support/test_paths.hpp"

namespace repro::test {

CliResult run_repro_check(const std::vector<std::string>& args) {
  TempDir logs;
  ProcessSpec spec;
  spec.program = bin_dir() / "repro-check";
  spec.args = args;
  spec.env = current_environment();
  spec.stdout_path = logs / "stdout";
  spec.stderr_path = logs / "stderr";
  spec.timeout = std::chrono::minutes(10);
  ProcessResult r = run_process(spec);
  CliResult result;
  result.exit_code = r.started && !r.timed_out && r.signal == 0 ? r.exit_code : -1;
  result.out = file_tail(spec.stdout_path, 1 << 20);
  result.err = file_tail(spec.stderr_path, 1 << 20);
  if (result.exit_code == -1) {
    result.err += "\n[repro-check " + r.describe() + "]";
  }
  return result;
}

std::filesystem::path worker_executable() {
  return bin_dir() / "repro-worker";
}

const Fingerprint& worker_fingerprint() {
  static const Fingerprint k_fingerprint =
      probe_worker(worker_executable(), "cpu", current_environment());
  return k_fingerprint;
}

ScratchProject::ScratchProject() = default;

void ScratchProject::write_suite(const std::string& name, const nlohmann::json& axes,
                                 const nlohmann::json& extra) {
  auto smoke_path = source_dir() / "suites" / "smoke.json";
  nlohmann::json smoke = parse_json(read_file(smoke_path), smoke_path.string());
  nlohmann::json suite = {{"format_version", 1},
                          {"name", name},
                          {"description", "integration test suite " + name},
                          {"workload", smoke.at("workload")},
                          {"axes", axes},
                          {"cell_timeout_s", 120}};
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (it.key() == "workload") {
      suite["workload"].merge_patch(it.value());
    } else {
      suite[it.key()] = it.value();
    }
  }
  write_file_atomic(root() / "suites" / (name + ".json"), suite.dump(2));
}

CliResult ScratchProject::repro_check(const std::vector<std::string>& args) const {
  std::vector<std::string> full = {"--root", root().string(), "--worker",
                                   worker_executable().string()};
  full.insert(full.end(), args.begin(), args.end());
  return run_repro_check(full);
}

CliResult ScratchProject::run(const std::string& suite, const std::vector<std::string>& args,
                              nlohmann::json* report) const {
  auto json_path = root() / (suite + ".json");
  std::filesystem::remove(json_path);
  std::vector<std::string> full = {"run",          "--suite", suite,
                                   "--no-history", "--json",  json_path.string()};
  full.insert(full.end(), args.begin(), args.end());
  CliResult result = repro_check(full);
  if (report != nullptr && std::filesystem::exists(json_path)) {
    *report = nlohmann::json::parse(read_file(json_path));
  }
  return result;
}

nlohmann::json attribution_of(const nlohmann::json& report, const std::string& axis,
                              const std::string& to) {
  for (const auto& a : report.value("attribution", nlohmann::json::array())) {
    if (a.value("axis", "") == axis && a.value("to", "") == to) {
      return a;
    }
  }
  return nullptr;
}

nlohmann::json cell_with(const nlohmann::json& report, const std::string& axis,
                         const std::string& value) {
  for (const auto& c : report.value("cells", nlohmann::json::array())) {
    if (c.contains("settings") && c["settings"].value(axis, "") == value) {
      return c;
    }
  }
  return nullptr;
}

}  // namespace repro::test
