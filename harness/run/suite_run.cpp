// run_suite: runner -> check_runs -> expectations.
#include "harness/run/suite_run.hpp"

#include <algorithm>
#include <cassert>

#include "harness/util/error.hpp"

namespace repro {
namespace {

void fail_report(RunReport& report, const std::string& message) {
  report.exit_code = k_exit_determinism_broken;
  report.pass = false;
  report.findings.push_back({"expectation_failed", Severity::error, message});
  report.summary.push_back(message);
  if (report.culprit.empty()) {
    report.culprit = message;
  }
}

}  // namespace

std::optional<Fingerprint> baseline_fingerprint(const std::vector<CellRun>& runs) {
  for (const auto& run : runs) {
    if (run.cell.role == CellRole::baseline && run.status == RunStatus::ran && run.trace) {
      try {
        return fingerprint_from_json(run.trace->header.fingerprint, run.trace_path.string());
      } catch (const Error&) {
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

bool nothing_ran(const std::vector<CellRun>& runs) {
  return std::all_of(runs.begin(), runs.end(),
                     [](const CellRun& r) { return r.status == RunStatus::skipped; });
}

void apply_expectations(const SuiteExpectations& expect, RunReport& report) {
  if (expect.all_cells_run && report.exit_code == k_exit_ok) {
    std::string skipped;
    for (const auto& c : report.cells) {
      if (c.verdict == CellVerdict::skipped) {
        skipped += (skipped.empty() ? "" : "; ") + c.id + " (" + c.reason + ")";
      }
    }
    if (!skipped.empty()) {
      std::string message = "the suite needs every cell to run, and here some cannot: " + skipped +
                            "; nothing to conclude (exit 77, skipped)";
      report.exit_code = k_exit_nothing_ran;
      report.findings.push_back({"incomplete", Severity::warning, message});
      report.summary.insert(report.summary.begin(), message);
    }
  }
  if (!expect.seed_changes_results) {
    return;
  }
  int tested = 0;
  int breaking = 0;
  for (const auto& a : report.attribution) {
    if (a.axis == "seed") {
      ++tested;
      breaking += a.breaks ? 1 : 0;
    }
  }
  if (tested == 0) {
    return;
  }
  if (*expect.seed_changes_results && breaking == 0) {
    fail_report(report,
                "the suite expects seed to change results, but every seed change left every "
                "bit identical (seed has no effect: is the seed reaching the training?)");
  } else if (!*expect.seed_changes_results && breaking > 0) {
    fail_report(report,
                "the suite expects seed not to change results, but a seed change broke "
                "bit-equality");
  }
}

SuiteRunResult run_suite(const SuiteRunInput& input) {
  assert(input.plan != nullptr && input.runner != nullptr);
  const RunPlan& plan = *input.plan;
  SuiteRunResult result;
  result.runs = input.runner->run(plan.cells, input.progress);
  if (input.before_check) {
    input.before_check(result.runs);
  }

  CheckInput check;
  check.suite = plan.suite.name;
  check.design = std::string(to_string(plan.suite.design));
  check.runs = result.runs;
  check.invariant_axes = plan.suite.invariant;
  if (auto fp = baseline_fingerprint(result.runs)) {
    check.fingerprint = *fp;
  } else if (input.fallback_fingerprint) {
    check.fingerprint = *input.fallback_fingerprint;
  }
  check.golden = input.golden;
  check.require_golden = input.require_golden;
  check.bless_arguments = plan.bless_arguments;
  check.dumps = input.dumps;
  check.op_traces = input.op_traces;
  check.localize = input.op_traces != nullptr;
  check.localize_budget_seconds = input.localize_budget_seconds;
  result.report = check_runs(check);
  apply_expectations(plan.suite.expect, result.report);
  return result;
}

}  // namespace repro
