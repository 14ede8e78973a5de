// WorkerConformance: runs an outside worker through the protocol and names every broken rule.
//
// docs/trace-format.md, "Checking a worker", lists the rules. Each rule is checked by
// running the worker as the checker would (fingerprint, a run, a repeat, a run with another
// seed, a dump, a bad config) with the environment a baseline cell gets; a rule that could
// not be checked because an earlier step failed says so.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "harness/trace/worker_config.hpp"
#include "harness/verdict/trace_validation.hpp"

namespace repro {

struct ConformanceOptions {
  std::filesystem::path worker;            // the executable under test
  WorkerConfig config;                     // what it trains (conformance_config() unless given)
  nlohmann::json config_json;              // the config as written (config plus any `extra`)
  std::map<std::string, std::string> env;  // its complete environment
  std::filesystem::path work_dir;          // where the runs' folders go (must exist)
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // per worker process
};

// The outcome of one rule: `deviations` empty when it holds; `skipped` says why it could
// not be checked (an earlier step failed).
struct RuleOutcome {
  std::string rule;         // "fingerprint.schema", "repeat.identical", ...
  std::string description;  // what the rule requires
  std::vector<Deviation> deviations;
  std::string skipped;
};

struct ConformanceReport {
  std::vector<RuleOutcome> rules;
  // True when every rule holds (none broken, none skipped).
  bool conforms() const;
};

// A small, fast workload every worker can train (3 steps of a tiny U-Net, no evaluation).
WorkerConfig conformance_config();

// Runs `options.worker` through the protocol. Never throws for a misbehaving worker: that
// is the report's content.
ConformanceReport check_worker_conformance(const ConformanceOptions& options);

// One line per rule ("  ok    rule  description" / "  FAIL  rule  where: what") and a
// summary line.
void write_conformance_report(std::ostream& out, const ConformanceReport& report);

}  // namespace repro
