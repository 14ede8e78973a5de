// check_runs: from finished cells to a RunReport (compare, attribute, golden, exit code).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/verdict/attribute.hpp"
#include "harness/verdict/dump_provider.hpp"
#include "harness/verdict/golden_store.hpp"
#include "harness/verdict/library_versions.hpp"
#include "harness/verdict/op_trace_provider.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

struct CheckInput {
  std::string suite;                        // suite name
  std::string design;                       // "ofat" or "full"
  std::vector<CellRun> runs;                // every cell, including baseline and repeat (CellRole)
  std::vector<std::string> invariant_axes;  // from the suite: these must not change results
  Fingerprint fingerprint;                  // of the default environment (environment class)
  const GoldenStore* golden = nullptr;      // may be null (no golden dir)
  bool require_golden = false;
  // The run's overrides as `bless` arguments (RunPlan::bless_arguments), for the advice.
  std::vector<std::string> bless_arguments;
  DumpProvider* dumps = nullptr;  // may be null: then magnitudes are omitted
  // With localize: the first divergence of each breaking axis (and of the repeat) is
  // re-run with op tracing to name its first divergent op. May be null.
  OpTraceProvider* op_traces = nullptr;
  bool localize = false;
  // Skip a localization whose estimated cost (re-runs to the divergent step, from the
  // baseline's wall time) exceeds this; < 0: no limit.
  double localize_budget_seconds = -1;
};

// The verdict of a run. Every cell is compared with the baseline (the first cell
// with role baseline) and with the golden of the fingerprint's environment class;
// divergences are attributed to axis changes. Exit code (harness/util/exit_codes.hpp):
//  1  the repeat differs, a cell differs from its golden, a cell that changes only
//     declared-invariant axes diverges, or require_golden and a cell has no golden;
//  3  otherwise, when a cell crashed or timed out, or the baseline did not run (no
//     determinism verdict possible for every cell);
//  77 otherwise, when every cell was skipped (nothing could run here);
//  0  otherwise (skips alone and divergence on other axes do not fail).
// Outcomes are data: crashes and skips are cell verdicts. Throws repro::Error only
// when a golden file is corrupt (exit 2: an input error).
RunReport check_runs(const CheckInput& input);

// What concluding a report needs beyond its compared cells.
struct ConcludeInput {
  std::vector<std::string> invariant_axes;  // from the suite
  bool require_golden = false;
  std::vector<std::string> bless_arguments;  // CheckInput::bless_arguments
  bool baseline_ran = false;  // the baseline cell ran and left a trace to compare with
  // Facts only the runs hold: check_runs computes them from its runs; `repro-check merge`
  // carries them over from the shards' reports.
  std::vector<LibraryVersionLine> library_lines;  // library_version_lines()
  std::vector<Finding> non_finite;                // non_finite_findings()
  std::vector<std::string> input_errors;          // input_error_lines(): exit code 2 when any
  // The op-level diagnosis (needs the runs: localization re-runs cells), called after the
  // attribution when the baseline ran. Empty (merge): the cells keep the diagnosis their
  // shard computed (divergence_summary, first_divergent_op) and its lines are restated.
  std::function<void(Attribution&, RunReport&)> diagnose;
};

// The second half of check_runs: from cells that are already compared with the baseline
// and checked against the golden (verdict, first_divergence, golden, golden_divergence,
// and empty failures) to attribution, failures, findings, summary, culprit and exit code.
// The report's golden_found, golden_path and golden_notes are derived from its cells here.
// check_runs calls it, and so does `repro-check merge` on the cells of shard reports,
// which is why a merged report equals the unsharded one. Never throws.
RunReport conclude_report(RunReport report, const ConcludeInput& input);

}  // namespace repro
