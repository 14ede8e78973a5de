// Conformance rules: the rule book a conformance check fills, and how it calls the worker.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/util/subprocess.hpp"
#include "harness/verdict/worker_conformance.hpp"

namespace repro::conformance {

// One call of the worker under test: how it ended, its stdout and the tail of its stderr.
struct WorkerCall {
  ProcessResult result;
  std::string stdout_text;
  std::string stderr_tail;
};

// Runs the worker with `args` and the options' environment and time-out; stdout and stderr
// go to DIR/stdout and DIR/stderr (DIR is created). `cwd` empty: the checker's.
WorkerCall call_worker(const ConformanceOptions& o, const std::vector<std::string>& args,
                       const std::filesystem::path& dir, const std::filesystem::path& cwd = {});

// How the call ended, with the last line of its stderr: "exit 3 (stderr: ...)".
std::string exit_text(const WorkerCall& call);

// The rules checked so far, in order.
class Rules {
 public:
  RuleOutcome& add(std::string rule, std::string description) {
    m_report.rules.push_back({std::move(rule), std::move(description), {}, {}});
    return m_report.rules.back();
  }
  // Adds `rule` as not checked because `because` failed.
  void skip(std::string rule, std::string description, const std::string& because) {
    add(std::move(rule), std::move(description)).skipped = "not checked: " + because;
  }
  ConformanceReport take() { return std::move(m_report); }

 private:
  ConformanceReport m_report;
};

// Records that rule `r` is broken at `where`.
void fail(RuleOutcome& r, std::string where, std::string what);

}  // namespace repro::conformance
