// Helpers for integration tests: a scratch project (suites/, golden/) and a real repro-check.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/trace/fingerprint.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro::test {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs <build>/bin/repro-check with `args` and this process's environment; at most 10 minutes.
CliResult run_repro_check(const std::vector<std::string>& args);

// The worker built beside repro-check.
std::filesystem::path worker_executable();

// The worker's CPU fingerprint (asked once per test process).
const Fingerprint& worker_fingerprint();

// A throw-away project root holding suites/NAME.json files built from the committed smoke
// suite's workload, so integration runs never touch the committed goldens or history.
class ScratchProject {
 public:
  ScratchProject();

  // Writes suites/NAME.json: the smoke workload, `axes` ([{name, values}]), and any further
  // top-level fields in `extra` (invariant, expect, design, workload overrides...).
  void write_suite(const std::string& name, const nlohmann::json& axes,
                   const nlohmann::json& extra = nlohmann::json::object());

  // `repro-check --root ROOT --worker WORKER <args>`.
  CliResult repro_check(const std::vector<std::string>& args) const;

  // `run --suite NAME --no-history --json ROOT/NAME.json <args>`; the report is read into
  // `report` when the file was written.
  CliResult run(const std::string& suite, const std::vector<std::string>& args,
                nlohmann::json* report) const;

  const std::filesystem::path& root() const { return m_dir.path(); }

 private:
  TempDir m_dir;
};

// The attribution entry of `axis` changed to `to` in a JSON report, or null json.
nlohmann::json attribution_of(const nlohmann::json& report, const std::string& axis,
                              const std::string& to);

// The first cell of a JSON report whose settings have axis=value, or null json.
nlohmann::json cell_with(const nlohmann::json& report, const std::string& axis,
                         const std::string& value);

}  // namespace repro::test
