// First-step records (ProcessRunnerOptions::first_step_dump, first_step_op_trace): a cell's own
// dump and op trace of step 0 answer the diagnosis of a step-0 divergence without re-running
// either cell, and hold exactly what a re-run would have written.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "harness/plan/run_plan.hpp"
#include "harness/plan/suite.hpp"
#include "harness/run/op_trace_runner.hpp"
#include "harness/run/process_runner.hpp"
#include "harness/run/rerun_batch.hpp"
#include "harness/util/subprocess.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

// The seed=1,2 x threads=1,2 (ofat) smoke plan of a scratch project.
RunPlan threads_plan(const ScratchProject& project) {
  return plan_run(find_suite(project.root(), "threads"), RunOverrides{}, nullptr);
}

ProcessRunnerOptions runner_options(const RunPlan& plan, const std::filesystem::path& run_dir,
                                    bool records) {
  ProcessRunnerOptions options;
  options.workload = plan.suite.workload;
  options.launch.default_worker = worker_executable();
  options.launch.parent_env = current_environment();
  options.run_dir = run_dir;
  options.jobs = 1;  // cells end in plan order
  options.first_step_dump = records;
  options.first_step_op_trace = records;
  return options;
}

const Cell& cell_with_threads(const RunPlan& plan, const std::string& threads) {
  for (const Cell& cell : plan.cells) {
    if (cell.role != CellRole::repeat && cell.settings.at("threads") == threads) {
      return cell;
    }
  }
  throw std::runtime_error("no cell with threads=" + threads);
}

std::vector<std::pair<std::string, std::vector<std::byte>>> bytes_of(const TensorDump& dump) {
  std::vector<std::pair<std::string, std::vector<std::byte>>> out;
  for (const auto& t : dump.tensors) {
    out.emplace_back(t.name, t.bytes);
  }
  return out;
}

TEST(FirstStepRecords, AnswerAStepZeroDivergenceWithoutReRunsAndHoldWhatAReRunWrites) {
  ScratchProject project;
  // A seed change too, ending first (one cell at a time, in plan order): its pair asks for
  // the baseline's dump only, the threads pair later for the baseline's op trace as well;
  // both come from the baseline's records.
  project.write_suite("threads", {{{"name", "seed"}, {"values", {1, 2}}},
                                  {{"name", "threads"}, {"values", {1, 2}}}});
  const RunPlan plan = threads_plan(project);
  const Cell& one = cell_with_threads(plan, "1");
  const Cell& two = cell_with_threads(plan, "2");

  // With records: the threads change diverges at step 0 and nothing is re-run.
  ProcessRunner recorded(runner_options(plan, project.root() / "recorded", true));
  OpTraceRunner recorded_ops(recorded, recorded.options());
  ReRunScheduler recorded_reruns(recorded, &recorded_ops, /*dumps=*/true, /*budget=*/-1);
  recorded.set_side_work(&recorded_reruns);
  const auto runs = recorded.run(plan.cells, {});
  const auto requests = plan_reruns(runs, /*dumps=*/true, /*op_traces=*/true);
  ASSERT_FALSE(requests.empty()) << "threads=2 should diverge from threads=1 here";
  for (const auto& request : requests) {
    ASSERT_EQ(request.step, 0) << request.cell.id;
  }
  EXPECT_GT(recorded_reruns.finish(runs), 0);
  for (const auto& request : requests) {
    if (request.op_trace) {
      EXPECT_NE(recorded_ops.cached_op_trace(request.cell, 0), nullptr)
          << request.cell.id << ": its op trace was not read from its records";
    }
  }
  // Then both dumps of the first divergent op, made before the checker asks.
  for (const Cell* cell : {&one, &two}) {
    bool op_dump = false;
    for (const auto& entry : std::filesystem::directory_iterator(recorded.cell_dir(*cell))) {
      op_dump = op_dump || entry.path().filename().string().rfind("op-dump-step-0-", 0) == 0;
    }
    EXPECT_TRUE(op_dump) << cell->id << ": no op dump of the first divergent op";
  }
  for (const Cell* cell : {&one, &two}) {
    const auto dir = recorded.cell_dir(*cell);
    EXPECT_TRUE(std::filesystem::exists(dir / k_first_step_folder / "dump" / "manifest.json"))
        << dir;
    EXPECT_TRUE(std::filesystem::exists(dir / k_first_step_folder / "ops.jsonl")) << dir;
    EXPECT_FALSE(std::filesystem::exists(dir / "rerun-step-0"))
        << cell->id << " was re-run although its own run recorded step 0";
  }

  // Without records: the same requests are answered by re-runs.
  ProcessRunner rerun(runner_options(plan, project.root() / "rerun", false));
  OpTraceRunner rerun_ops(rerun, rerun.options());
  ReRunScheduler reruns(rerun, &rerun_ops, true, -1);
  rerun.set_side_work(&reruns);
  const auto rerun_runs = rerun.run(plan.cells, {});
  reruns.finish(rerun_runs);
  EXPECT_TRUE(std::filesystem::exists(rerun.cell_dir(two) / "rerun-step-0"));

  // Both hold the same bits: the dumps tensor for tensor, the op traces digest for digest.
  for (const Cell* cell : {&one, &two}) {
    std::string error;
    const auto a = recorded.dump(*cell, 0, &error);
    ASSERT_TRUE(a) << error;
    const auto b = rerun.dump(*cell, 0, &error);
    ASSERT_TRUE(b) << error;
    EXPECT_EQ(bytes_of(*a), bytes_of(*b)) << cell->id;
    const auto ta = recorded_ops.op_trace(*cell, 0, &error);
    ASSERT_TRUE(ta) << error;
    const auto tb = rerun_ops.op_trace(*cell, 0, &error);
    ASSERT_TRUE(tb) << error;
    EXPECT_EQ(op_trace_text(*ta), op_trace_text(*tb)) << cell->id;
  }
}

}  // namespace
}  // namespace repro::test
