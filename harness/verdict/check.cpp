// check_runs: compares every cell, attributes, checks goldens and decides the exit code.
#include "harness/verdict/check.hpp"

#include <algorithm>
#include <map>

#include "harness/util/error.hpp"
#include "harness/util/join.hpp"
#include "harness/verdict/culprit.hpp"
#include "harness/verdict/divergence_summary.hpp"
#include "harness/verdict/golden_gate.hpp"
#include "harness/verdict/input_errors.hpp"
#include "harness/verdict/library_versions.hpp"
#include "harness/verdict/localization_plan.hpp"
#include "harness/verdict/magnitude_probe.hpp"
#include "harness/verdict/non_finite.hpp"
#include "harness/verdict/trace_consistency.hpp"

namespace repro {
namespace {

std::optional<double> median(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !(v > 0); }),
               values.end());
  if (values.empty()) {
    return std::nullopt;
  }
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::optional<double> step_time(const CellRun& run) {
  if (run.step_time_ms > 0) {
    return run.step_time_ms;
  }
  return run.trace ? median(run.trace->step_time_ms) : std::nullopt;
}

bool has_trace(const CellRun& run) {
  return run.status == RunStatus::ran && run.trace;
}

CellReport cell_report(const CellRun& run) {
  CellReport c;
  c.id = run.cell.id;
  c.settings = run.cell.settings;
  c.role = run.cell.role;
  c.reason = run.reason;
  c.step_time_ms = step_time(run);
  c.wall_seconds = run.wall_seconds;
  switch (run.status) {
    case RunStatus::skipped:
      c.verdict = CellVerdict::skipped;
      break;
    case RunStatus::timeout:
      c.verdict = CellVerdict::timeout;
      break;
    case RunStatus::crashed:
      c.verdict = CellVerdict::crashed;
      break;
    case RunStatus::not_run:
      c.verdict = CellVerdict::not_run;
      break;
    case RunStatus::ran:
      c.verdict = run.trace ? CellVerdict::identical : CellVerdict::crashed;
      if (!run.trace) {
        c.reason = "finished without a readable trace";
      }
      break;
  }
  return c;
}

// The run status a cell verdict stands for (attribution only asks whether it ran).
RunStatus run_status_of(CellVerdict verdict) {
  switch (verdict) {
    case CellVerdict::identical:
    case CellVerdict::diverged:
      return RunStatus::ran;
    case CellVerdict::skipped:
      return RunStatus::skipped;
    case CellVerdict::timeout:
      return RunStatus::timeout;
    case CellVerdict::not_run:
      return RunStatus::not_run;
    case CellVerdict::crashed:
      break;
  }
  return RunStatus::crashed;
}

// The changed axes of a variant cell, when every one of them is declared invariant.
std::vector<std::string> invariant_changes(const Settings& baseline, const Settings& settings,
                                           const std::vector<std::string>& invariant_axes) {
  std::vector<std::string> axes = changed_axes(baseline, settings);
  for (const auto& axis : axes) {
    if (std::find(invariant_axes.begin(), invariant_axes.end(), axis) == invariant_axes.end()) {
      return {};
    }
  }
  return axes;
}

void check_goldens(const CheckInput& input, RunReport& r) {
  std::vector<GoldenCandidate> candidates = golden_candidates(input.runs, input.fingerprint);
  size_t next = 0;
  for (size_t i = 0; i < r.cells.size() && next < candidates.size(); ++i) {
    const CellRun& run = input.runs[i];
    if (run.cell.role != CellRole::repeat && has_trace(run) && run.trace->complete) {
      r.cells[i].golden_candidate = candidates[next++];
    }
  }
  if (input.golden == nullptr) {
    for (size_t i = 0; i < r.cells.size(); ++i) {
      if (has_trace(input.runs[i])) {
        r.cells[i].golden = GoldenStatus::missing;
      }
    }
    return;
  }
  GoldenLookup lookup = input.golden->lookup(input.suite, input.fingerprint, input.runs);
  for (auto& c : r.cells) {
    auto it = lookup.cells.find(c.id);
    if (it == lookup.cells.end()) {
      continue;
    }
    c.golden = it->second.status;
    c.golden_divergence = it->second.first_divergence;
    c.golden_check = it->second;
  }
}

// Fills each cell's failures; returns the declared-invariant violations ("id: what").
std::vector<std::string> add_failures(const ConcludeInput& input, const CellReport* baseline,
                                      RunReport& r) {
  std::vector<std::string> invariant_broken;
  for (auto& c : r.cells) {
    if (c.verdict == CellVerdict::diverged && c.role == CellRole::repeat) {
      c.failures.push_back("not reproducible under identical settings: the repeat differs " +
                           describe(*c.first_divergence));
    } else if (c.verdict == CellVerdict::diverged && baseline != nullptr) {
      std::vector<std::string> axes =
          invariant_changes(baseline->settings, c.settings, input.invariant_axes);
      if (!axes.empty()) {
        c.failures.push_back("declared invariant " + join(axes, ", ") + " changed the results " +
                             describe(*c.first_divergence));
        invariant_broken.push_back(c.id + ": " + c.failures.back());
      }
    }
    if (c.golden == GoldenStatus::mismatch) {
      // The golden leads: a mismatch is the cell's first failure.
      c.failures.insert(c.failures.begin(), c.golden_check ? c.golden_check->detail
                                                           : "differs from the golden " +
                                                                 describe(*c.golden_divergence));
    }
    if (c.golden == GoldenStatus::missing && input.require_golden) {
      c.failures.push_back(
          "--require-golden: " +
          (c.golden_check
               ? c.golden_check->detail + "; to add it: " + c.golden_check->accept_command
               : "no golden digests; run: " + bless_command(r.suite, input.bless_arguments)));
    }
  }
  return invariant_broken;
}

void add_findings_and_summary(const ConcludeInput& input, const CellReport* baseline,
                              const Attribution& attribution,
                              const std::vector<std::string>& invariant_broken, RunReport& r) {
  r.findings = attribution.findings;
  r.summary = attribution.summary_lines;
  if (baseline == nullptr) {
    std::string message = "no baseline cell: nothing to compare with";
    r.findings.push_back({"baseline_failed", Severity::error, message});
    r.summary.insert(r.summary.begin(), message);
  } else if (!input.baseline_ran && baseline->verdict != CellVerdict::skipped) {
    std::string message = "the baseline " + std::string(to_string(baseline->verdict)) + " (" +
                          baseline->reason + "): no determinism verdict is possible";
    r.findings.push_back({"baseline_failed", Severity::error, message});
    r.summary.insert(r.summary.begin(), message);
  } else if (!input.baseline_ran &&
             r.count(CellVerdict::skipped) < static_cast<int>(r.cells.size())) {
    std::string message = "the baseline was skipped (" + baseline->reason +
                          "): the other cells could not be compared";
    r.findings.push_back({"baseline_failed", Severity::error, message});
    r.summary.insert(r.summary.begin(), message);
  }
  std::vector<std::string> golden_mismatch;
  std::vector<std::string> infrastructure;
  std::vector<std::string> skipped;
  for (const auto& c : r.cells) {
    if (c.golden == GoldenStatus::mismatch) {
      golden_mismatch.push_back(c.golden_check ? golden_mismatch_headline(r, c)
                                               : c.id + " differs from the golden " +
                                                     describe(*c.golden_divergence));
    }
    if (c.verdict == CellVerdict::crashed || c.verdict == CellVerdict::timeout) {
      infrastructure.push_back(c.id + " " + std::string(to_string(c.verdict)) +
                               (c.reason.empty() ? "" : " (" + c.reason + ")"));
    }
    if (c.verdict == CellVerdict::skipped) {
      skipped.push_back(c.id + (c.reason.empty() ? "" : " (" + c.reason + ")"));
    }
  }
  for (const auto& line : invariant_broken) {
    r.findings.push_back({"invariant_broken", Severity::error, line});
  }
  // Another libtorch (worker environments), and NaN/±Inf: findings, never crashes.
  for (const auto& line : input.library_lines) {
    const CellReport* cell = r.find(line.cell_id);
    const std::string text =
        with_first_divergent_op(line, cell ? cell->first_divergent_op : std::nullopt);
    r.findings.push_back({"library_versions", Severity::info, text});
    r.summary.push_back(text);
  }
  for (const auto& finding : input.non_finite) {
    r.summary.push_back(finding.message);
    r.findings.push_back(finding);
  }
  size_t leading = 0;
  for (const auto& line : golden_mismatch) {
    r.findings.push_back({"golden_mismatch", Severity::error, line});
    // The golden leads the summary.
    r.summary.insert(r.summary.begin() + static_cast<std::ptrdiff_t>(leading++), line);
  }
  int missing = r.count(GoldenStatus::missing);
  if (missing > 0) {
    r.findings.push_back({"golden_missing", input.require_golden ? Severity::error : Severity::info,
                          std::to_string(missing) + " cell(s) have no golden for their class"});
  }
  for (const auto& line : golden_summary_lines(r)) {
    r.summary.push_back(line);
  }
  for (const auto& note : r.golden_notes) {
    r.summary.push_back(note);
  }
  if (!infrastructure.empty()) {
    std::string message = "infrastructure: " + join(infrastructure, "; ");
    r.findings.push_back({"infrastructure", Severity::error, message});
    r.summary.push_back(message);
  }
  if (!skipped.empty()) {
    r.summary.push_back("skipped: " + join(skipped, "; "));
  }
  std::stable_sort(r.findings.begin(), r.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
}

int decide_exit_code(const ConcludeInput& input, const RunReport& r) {
  bool failed = std::any_of(r.cells.begin(), r.cells.end(),
                            [](const CellReport& c) { return !c.failures.empty(); });
  if (failed) {
    return k_exit_determinism_broken;
  }
  if (r.count(CellVerdict::skipped) == static_cast<int>(r.cells.size())) {
    return k_exit_nothing_ran;
  }
  bool infrastructure =
      !input.baseline_ran || r.count(CellVerdict::crashed) + r.count(CellVerdict::timeout) > 0;
  return infrastructure ? k_exit_infrastructure : k_exit_ok;
}

}  // namespace

RunReport check_runs(const CheckInput& input) {
  RunReport r;
  r.suite = input.suite;
  r.design = input.design;
  r.fingerprint = input.fingerprint;
  r.environment_class = environment_class(input.fingerprint);

  const CellRun* baseline = nullptr;
  for (const auto& run : input.runs) {
    if (run.cell.role == CellRole::baseline) {
      baseline = &run;
      break;
    }
  }
  bool baseline_ran =
      baseline != nullptr && has_trace(*baseline) && trace_inconsistency(*baseline->trace).empty();
  std::optional<MagnitudeProbe> probe;
  if (baseline_ran && input.dumps != nullptr) {
    probe.emplace(*input.dumps, baseline->cell, *baseline->trace);
  }

  for (const auto& run : input.runs) {
    CellReport c = cell_report(run);
    if (has_trace(run)) {
      if (std::string why = trace_inconsistency(*run.trace); !why.empty()) {
        c.verdict = CellVerdict::crashed;
        c.reason = "inconsistent trace, rejected: " + why;
        r.cells.push_back(std::move(c));
        continue;
      }
    }
    if (&run == baseline && baseline_ran) {
      c.reason = "the baseline: every other cell is compared with it";
    } else if (has_trace(run) && !baseline_ran) {
      c.verdict = CellVerdict::skipped;
      c.reason = "ran, but not compared: the baseline did not run";
    } else if (has_trace(run)) {
      Comparison comparison = compare_traces(*baseline->trace, *run.trace);
      std::optional<std::pair<const TensorDump*, const TensorDump*>> dumps;
      if (!comparison.identical && probe) {
        probe->measure(comparison, run.cell, *run.trace);
        dumps = probe->last_dumps();
      }
      if (!comparison.identical) {
        const int step = comparison.first_divergence->step;
        if (step < static_cast<int>(baseline->trace->steps.size()) &&
            step < static_cast<int>(run.trace->steps.size())) {
          c.divergence_summary =
              summarize_divergence(baseline->trace->steps[static_cast<size_t>(step)],
                                   run.trace->steps[static_cast<size_t>(step)],
                                   dumps ? dumps->first : nullptr, dumps ? dumps->second : nullptr);
        }
      }
      c.verdict = comparison.identical ? CellVerdict::identical : CellVerdict::diverged;
      c.first_divergence = comparison.first_divergence;
      c.reason = comparison.identical ? "bit-identical to the baseline"
                                      : "differs from the baseline: " + comparison.describe();
    }
    r.cells.push_back(std::move(c));
  }
  check_goldens(input, r);

  ConcludeInput conclude;
  conclude.invariant_axes = input.invariant_axes;
  conclude.require_golden = input.require_golden;
  conclude.bless_arguments = input.bless_arguments;
  conclude.baseline_ran = baseline_ran;
  conclude.library_lines = library_version_lines(input.runs);
  conclude.non_finite = non_finite_findings(input.runs);
  conclude.input_errors = input_error_lines(input.runs);
  conclude.diagnose = [&input, baseline](Attribution& attribution, RunReport& report) {
    add_diagnosis(*baseline, input.runs, input.localize ? input.op_traces : nullptr,
                  input.localize_budget_seconds, attribution, report);
  };
  return conclude_report(std::move(r), conclude);
}

RunReport conclude_report(RunReport r, const ConcludeInput& input) {
  const CellReport* baseline = nullptr;
  for (const auto& c : r.cells) {
    if (c.role == CellRole::baseline) {
      baseline = &c;
      break;
    }
  }
  // Every cell that ran and was compared takes part in the attribution, in cell order:
  // the outcome of a cell is its verdict and first divergence, nothing else.
  std::vector<CellOutcome> outcomes;
  for (const auto& c : r.cells) {
    if (&c == baseline) {
      continue;
    }
    CellOutcome outcome{Cell{c.id, c.settings, c.role, ""}, run_status_of(c.verdict), std::nullopt};
    if (c.verdict == CellVerdict::identical || c.verdict == CellVerdict::diverged) {
      Comparison comparison;
      comparison.identical = c.verdict == CellVerdict::identical;
      comparison.first_divergence = c.first_divergence;
      outcome.comparison = std::move(comparison);
    }
    outcomes.push_back(std::move(outcome));
  }

  Attribution attribution;
  if (input.baseline_ran && baseline != nullptr) {
    attribution = attribute(Cell{baseline->id, baseline->settings, baseline->role, ""}, outcomes,
                            input.invariant_axes);
  }
  if (input.baseline_ran && baseline != nullptr) {
    if (input.diagnose) {
      input.diagnose(attribution, r);
    } else {
      restate_diagnosis(*baseline, attribution, r);
    }
  }
  // The golden facts come from the cells, never from a shard's view of them.
  r.golden_found = r.golden_compared() > 0;
  r.golden_path.clear();
  if (baseline != nullptr && baseline->golden_check) {
    r.golden_path = baseline->golden_check->path;
  }
  r.golden_notes = golden_notes_for(r, input.bless_arguments);
  r.repeatable = attribution.repeatable;
  r.attribution = attribution.axes;
  r.interactions = attribution.interactions;

  std::vector<std::string> invariant_broken = add_failures(input, baseline, r);
  add_findings_and_summary(input, baseline, attribution, invariant_broken, r);
  r.exit_code = decide_exit_code(input, r);
  report_input_errors(input.input_errors, r);
  r.culprit =
      pick_culprit(attribution, r, r.exit_code != k_exit_ok && r.exit_code != k_exit_nothing_ran);
  r.pass = r.exit_code == k_exit_ok || r.exit_code == k_exit_nothing_ran;
  return r;
}

}  // namespace repro
