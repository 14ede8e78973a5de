// run_suite: one run of a planned suite: run the cells, check them, hold the suite's expectations.
#pragma once

#include <functional>

#include <optional>
#include <string>

#include "harness/plan/run_plan.hpp"
#include "harness/run/runner.hpp"
#include "harness/verdict/check.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

struct SuiteRunInput {
  const RunPlan* plan = nullptr;         // what to run (required)
  CellRunner* runner = nullptr;          // how (required): ProcessRunner, or a fake in tests
  DumpProvider* dumps = nullptr;         // for magnitudes; may be null
  OpTraceProvider* op_traces = nullptr;  // for the first divergent op; may be null
  // Localize with op_traces: always (budget < 0) or when a localization is estimated to
  // cost at most this many seconds (see CheckInput).
  double localize_budget_seconds = -1;
  const GoldenStore* golden = nullptr;
  bool require_golden = false;
  // The environment's fingerprint when the baseline's own trace carries none (the probe of
  // the default worker, normally).
  std::optional<Fingerprint> fallback_fingerprint;
  ProgressCallback progress;  // may be empty
  // Called with the cells' runs before they are checked (to fill the dump and op-trace
  // caches up front, harness/run/rerun_batch.hpp); may be empty.
  std::function<void(const std::vector<CellRun>&)> before_check;
};

struct SuiteRunResult {
  std::vector<CellRun> runs;
  RunReport report;
};

// Runs the plan's cells, checks them with check_runs (the environment class comes from the
// baseline's trace header when it ran, else from fallback_fingerprint), then applies the
// suite's expectations (apply_expectations). Throws repro::Error for a corrupt golden.
SuiteRunResult run_suite(const SuiteRunInput& input);

// Fails `report` (exit 1) when the run contradicts `expect`: seed_changes_results true and
// every seed change was invariant ("seed has no effect"), or false and a seed change broke
// bit-equality. Adds a finding "expectation_failed", a summary line and, when there is none
// yet, the culprit. Expectations that no cell could test are left alone.
void apply_expectations(const SuiteExpectations& expect, RunReport& report);

// The fingerprint the baseline cell ran with, from its trace header; nullopt when the
// baseline did not run or its header holds no valid fingerprint.
std::optional<Fingerprint> baseline_fingerprint(const std::vector<CellRun>& runs);

// True when every cell was skipped (nothing could run on this machine).
bool nothing_ran(const std::vector<CellRun>& runs);

}  // namespace repro
