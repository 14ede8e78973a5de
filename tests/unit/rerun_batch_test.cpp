// plan_reruns: one re-run per (cell, step) for the divergent pairs, dump and op trace together.
#include "harness/run/rerun_batch.hpp"

#include <gtest/gtest.h>

#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

CellRun ran(const std::string& id, CellRole role, Settings settings, Trace trace) {
  CellRun run;
  run.cell.id = id;
  run.cell.role = role;
  run.cell.settings = std::move(settings);
  run.status = RunStatus::ran;
  run.trace = std::move(trace);
  return run;
}

std::vector<CellRun> smoke_like_runs() {
  const Trace base = test::make_trace(3);
  Trace threads = base;
  test::diverge(threads, 1, "enc1.conv1.weight.grad");
  Trace seed = base;
  test::diverge(seed, 0, "enc1.bn1.running_mean");
  return {ran("baseline", CellRole::baseline, {{"seed", "1"}}, base),
          ran("repeat", CellRole::repeat, {{"seed", "1"}}, base),
          ran("threads=2", CellRole::variant, {{"seed", "1"}, {"threads", "2"}}, threads),
          ran("seed=2", CellRole::variant, {{"seed", "2"}}, seed)};
}

TEST(ReRunBatch, OneReRunPerCellAndStepForEachDivergentPair) {
  auto requests = plan_reruns(smoke_like_runs(), /*dumps=*/true, /*op_traces=*/true);
  ASSERT_EQ(requests.size(), 4u);
  // threads=2 diverges at step 1: baseline and it, dump and op trace in one re-run each.
  EXPECT_EQ(requests[0].cell.id, "baseline");
  EXPECT_EQ(requests[0].step, 1);
  EXPECT_TRUE(requests[0].dump && requests[0].op_trace);
  EXPECT_EQ(requests[1].cell.id, "threads=2");
  EXPECT_TRUE(requests[1].dump && requests[1].op_trace);
  // A changed seed is new data: magnitudes, never localization.
  EXPECT_EQ(requests[2].cell.id, "baseline");
  EXPECT_EQ(requests[2].step, 0);
  EXPECT_TRUE(requests[2].dump);
  EXPECT_FALSE(requests[2].op_trace);
  EXPECT_EQ(requests[3].cell.id, "seed=2");
  EXPECT_FALSE(requests[3].op_trace);
}

TEST(ReRunBatch, NothingAskedNothingPlanned) {
  EXPECT_TRUE(plan_reruns(smoke_like_runs(), false, false).empty());
  auto runs = smoke_like_runs();
  runs.resize(2);  // baseline and an identical repeat
  EXPECT_TRUE(plan_reruns(runs, true, true).empty());
  auto traces_only = plan_reruns(smoke_like_runs(), false, true);
  ASSERT_EQ(traces_only.size(), 2u);
  EXPECT_FALSE(traces_only[0].dump);
  EXPECT_TRUE(traces_only[0].op_trace);
}

}  // namespace
}  // namespace repro
