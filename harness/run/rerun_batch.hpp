// ReRunBatch: the diagnosis re-runs of divergent pairs, one per (cell, step), in parallel.
//
// After the cells ran, the checker asks for tensor dumps (magnitudes) and op traces
// (localization) of the baseline and each divergent cell at the first divergent step,
// one re-run at a time. plan_reruns() predicts those requests from the traces, and
// run_reruns() answers them up front: from the cells' own first-step records when the
// divergence starts at step 0, else one worker re-run per (cell, step) that writes the dump
// and the op trace together (--dump-step K --op-trace-step K --stop-after-dump); the
// re-runs, and then the op-output dumps of each first divergent op, run side by side within
// the runner's --jobs and thread budget. What they produce
// fills the runner's caches; the checker then asks as before and finds it there. A
// prediction that misses, or a re-run that fails, costs only time: the checker's own
// request re-runs the worker and reports its own error.
#pragma once

#include <string>
#include <vector>

#include "harness/plan/cell.hpp"

namespace repro {

class ProcessRunner;
class OpTraceRunner;

// One re-run: `cell` stopped after `step`, writing its dump and/or its op trace of that step.
struct ReRunRequest {
  Cell cell;
  int step = 0;
  bool dump = false;
  bool op_trace = false;
};

// The re-runs the checker will ask for: for every cell whose trace differs from the
// baseline's, the baseline and that cell at the first divergent step; a dump when
// `dumps` and the divergence is in a tensor, an op trace when `op_traces` and the tensor
// can be localized. One request per (cell, step), in cell order. Never throws.
std::vector<ReRunRequest> plan_reruns(const std::vector<CellRun>& runs, bool dumps, bool op_traces);

// Answers `requests` before the checker asks, then prefetches what its localization will
// ask next:
// 1. a request at step 0 whose cell wrote first-step records (ProcessRunnerOptions::
//    first_step_dump / first_step_op_trace) is read from them: no re-run;
// 2. the others run through `runner`'s launch context and fork servers, at most
//    runner.options().jobs at a time and within its thread budget, each dump stored in
//    `runner` and each op trace in `op_traces` (may be null);
// 3. with `op_traces`: for each divergent pair whose two op traces are now known, the first
//    divergent op is found (first_divergent_op) and both cells' dumps of that op are made
//    side by side (--op-dump) into OpTraceRunner's cache, unless add_diagnosis would skip
//    the localization (estimated over `localize_budget_seconds` when >= 0, or a second
//    repeat).
// `runs` are the cells' runs (baseline wall time and steps for the estimate). Stops starting
// re-runs once the runner's `cancelled` says so. Returns how many requests and op dumps
// were answered.
int run_reruns(const std::vector<ReRunRequest>& requests, const std::vector<CellRun>& runs,
               ProcessRunner& runner, OpTraceRunner* op_traces,
               double localize_budget_seconds = -1);

}  // namespace repro
