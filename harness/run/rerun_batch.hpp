// ReRunBatch: the diagnosis re-runs of divergent pairs, planned as cells end, run beside them.
//
// After the cells ran, the checker asks for tensor dumps (magnitudes) and op traces
// (localization) of the baseline and each divergent cell at the first divergent step, and
// then for both cells' dumps of the first divergent op, one re-run at a time. plan_reruns()
// predicts the first requests from the traces; ReRunScheduler answers them, and the op dumps
// after them, before the checker asks: from the cells' own first-step records when the
// divergence starts at step 0, else by worker re-runs that start as soon as a pair's two
// cells have ended, beside the cells still running, within the same --jobs and thread
// budget. The checker then asks as before and finds the answers in the caches.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/run/process_runner.hpp"

namespace repro {

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

// ReRunScheduler: the diagnosis re-runs, planned pair by pair as cells end and run beside the
// remaining cells (ProcessRunner::set_side_work), then finished before the checker asks.
// For each cell whose trace differs from the baseline's (plan_reruns):
// 1. at step 0, read from the cells' own first-step records when they wrote them
//    (ProcessRunnerOptions::first_step_dump / first_step_op_trace): no re-run;
// 2. else one re-run per (cell, step), through the runner's launch context and fork servers;
// 3. with op traces: once both op traces of a pair are known, the first divergent op is found
//    (first_divergent_op) and both cells' dumps of that op are made (--op-dump), unless
//    add_diagnosis would skip that localization (estimated over the budget, or a repeat
//    after the first).
// Everything lands in the runner's dump cache and OpTraceRunner's caches, where the checker's
// own requests find it; a prediction that misses or a re-run that fails costs only time (the
// checker's request re-runs it and reports its own error).
class ReRunScheduler : public SideWork {
 public:
  // `op_traces` may be null (no localization); `dumps`: magnitudes wanted;
  // `localize_budget_seconds` < 0: no budget.
  ReRunScheduler(ProcessRunner& runner, OpTraceRunner* op_traces, bool dumps,
                 double localize_budget_seconds);
  ~ReRunScheduler() override;

  void cells_ended(const std::vector<CellRun>& runs, const std::vector<bool>& finished) override;
  void start_ready(const std::function<bool(int threads)>& may_start) override;
  bool poll() override;
  int running_threads() const override;
  size_t running() const override;
  void kill_all() override;

  // All cells ended: plans what is left for `runs` and runs it to the end, at most
  // runner.options().jobs at a time within its thread budget; stops starting re-runs once
  // the runner's `cancelled` says so. Returns how many answers were stored in all (records
  // read, re-runs and op dumps collected), since construction.
  int finish(const std::vector<CellRun>& runs);

  struct Job;      // one re-run (rerun_batch.cpp)
  struct Started;  // a running one

 private:
  void plan(const std::vector<const CellRun*>& ended);
  void plan_op_dumps();
  void enqueue(Job job);

  ProcessRunner& m_runner;
  OpTraceRunner* m_op_traces;
  bool m_dumps;
  double m_budget_seconds;
  std::set<std::string> m_judged;  // cells compared with the baseline
  // (cell id, step) -> (dump, op trace) requested
  std::map<std::pair<std::string, int>, std::pair<bool, bool>> m_planned;
  std::vector<ReRunRequest> m_requests;                         // every request planned so far
  std::set<std::tuple<std::string, int, int, int>> m_op_dumps;  // (cell id, step, lane, index)
  bool m_repeat_localized = false;
  std::optional<Cell> m_baseline;  // once the baseline ended with a trace
  double m_baseline_wall_seconds = 0;
  size_t m_baseline_steps = 0;
  std::deque<std::unique_ptr<Job>> m_queue;
  std::vector<std::unique_ptr<Started>> m_active;
  int m_answered = 0;
};

}  // namespace repro
