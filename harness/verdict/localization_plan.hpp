// Diagnosis lines: the divergence summary of each diverged cell and, on request, the first
// divergent op of the first divergence of each breaking axis (and of the repeat).
#pragma once

#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/verdict/attribute.hpp"
#include "harness/verdict/op_trace_provider.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

// The diagnosis lines of cells diagnosed elsewhere (`repro-check merge`: nothing is re-run
// for a merged report): the repeats counted, and each diverged cell's DivergenceSummary
// and first_divergent_op placed as add_diagnosis placed them, without runs.
void restate_diagnosis(const CellReport& baseline, Attribution& attribution, RunReport& r);

// For every diverged cell of `r` (cells in the order of `runs`): adds a line with its
// DivergenceSummary after the culprit line of its axis change in
// attribution.summary_lines. When `op_traces` is not null, localizes the first diverged
// cell of each distinct axis change (the repeat included; changes of `seed` skipped: new
// data differs from the first op), stores the result in the cell's first_divergent_op and
// adds its line; a repeat's remedy becomes the one for that op (remedy.hpp). A
// localization estimated to cost more than `budget_seconds` (>= 0) is skipped with a
// line that says so; its estimate is k_localize_cost_factor times the baseline's wall
// time scaled to the divergent step.
void add_diagnosis(const CellRun& baseline, const std::vector<CellRun>& runs,
                   OpTraceProvider* op_traces, double budget_seconds, Attribution& attribution,
                   RunReport& r);

// Worker runs per localization (2 op traces, 2 op dumps) times the op tracer's slowdown.
inline constexpr double k_localize_cost_factor = 4 * 3;

}  // namespace repro
