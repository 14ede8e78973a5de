// Shard merge: merged shard reports equal the unsharded report; mismatched plans are refused.
#include <gtest/gtest.h>

#include "harness/report/json_report.hpp"
#include "harness/report/json_report_reader.hpp"
#include "harness/report/shard_merge.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/check.hpp"
#include "harness/verdict/golden_gate.hpp"
#include "harness/verdict/golden_store.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

// A full design over threads x blas where threads=2 breaks, blas=atlas alone does not, and
// the combination breaks elsewhere (an interaction, which needs cells of several shards).
std::vector<CellRun> full_design_runs() {
  Settings base = {{"blas", "openblas"}, {"threads", "1"}};
  Trace threads = make_trace(3);
  test::diverge(threads, 1, "enc1.conv1.weight.grad");
  Trace both = make_trace(3);
  test::diverge(both, 0, "dec1.conv1.weight.grad");
  return {make_run(make_cell(base, CellRole::baseline), make_trace(3)),
          make_run(make_cell(base, CellRole::repeat), make_trace(3)),
          make_run(make_cell({{"blas", "openblas"}, {"threads", "2"}}), threads),
          make_run(make_cell({{"blas", "atlas"}, {"threads", "1"}}), make_trace(3)),
          make_run(make_cell({{"blas", "atlas"}, {"threads", "2"}}), both)};
}

// How the runs are checked: against `golden` (may be null) and under the gate `gate`.
struct Checking {
  const GoldenStore* golden = nullptr;
  GoldenGateOptions gate;
};

CheckInput input_for(std::vector<CellRun> runs, const Checking& checking = {}) {
  CheckInput in;
  in.golden = checking.golden;
  in.require_golden = checking.gate.require == GoldenRequirement::all;
  in.suite = "nightly";
  in.design = "full";
  in.invariant_axes = {"threads"};
  in.fingerprint.device = "cpu";
  in.runs = std::move(runs);
  return in;
}

PlanIdentity plan_of(const std::vector<CellRun>& runs, std::optional<ShardSpec> shard,
                     const Checking& checking = {}) {
  PlanIdentity p;
  p.require_golden = std::string(to_string(checking.gate.require));
  p.skip_without_golden = checking.gate.skip_without_golden;
  p.hash = "0123456789abcdef0123456789abcdef";
  p.shard = shard;
  for (const auto& r : runs) {
    p.cells.push_back(r.cell.id);
  }
  p.invariant_axes = {"threads"};
  return p;
}

// What `run --shard i/N` reports: its cells (position % N == i) plus the baseline.
ShardReport shard_report(const std::vector<CellRun>& all, int index, int count,
                         const Checking& checking = {}) {
  std::vector<CellRun> mine;
  for (size_t p = 0; p < all.size(); ++p) {
    if (static_cast<int>(p % count) == index || p == 0) {
      mine.push_back(all[p]);
    }
  }
  RunReport r = check_runs(input_for(mine, checking));
  apply_golden_gate(r, checking.gate);
  r.plan = plan_of(all, ShardSpec{index, count}, checking);
  // Through JSON and back, as merge reads it from files.
  std::string file = "shard" + std::to_string(index) + ".json";
  return {file, run_report_from_json(nlohmann::json::parse(report_to_json(r).dump()), file)};
}

std::string json_text(const RunReport& r) {
  return report_to_json(r).dump(2);
}

TEST(ShardMerge, MergedShardsEqualTheUnshardedReport) {
  std::vector<CellRun> all = full_design_runs();
  RunReport whole = check_runs(input_for(all));
  whole.plan = plan_of(all, std::nullopt);
  ASSERT_FALSE(whole.interactions.empty());  // the case that needs every shard's cells
  for (int count : {1, 2, 3, 5}) {
    std::vector<ShardReport> shards;
    for (int i = count - 1; i >= 0; --i) {  // any order
      shards.push_back(shard_report(all, i, count));
    }
    RunReport merged = merge_shard_reports(shards);
    EXPECT_EQ(json_text(merged), json_text(whole)) << count << " shards";
    EXPECT_EQ(merged.count(CellVerdict::identical) + merged.count(CellVerdict::diverged), 5);
  }
}

// What an unsharded `repro-check run` reports for `all` under `checking`.
RunReport whole_report(const std::vector<CellRun>& all, const Checking& checking) {
  RunReport whole = check_runs(input_for(all, checking));
  apply_golden_gate(whole, checking.gate);
  whole.plan = plan_of(all, std::nullopt, checking);
  return whole;
}

// Every cell's trace fingerprinted as a reference-BLAS machine: a portable golden class.
std::vector<CellRun> on_reference_blas(std::vector<CellRun> runs) {
  Fingerprint reference;
  reference.libtorch_version = "1.13.1";
  reference.blas_build = "reference";
  reference.blas_version = "3.11.0";
  reference.device = "cpu";
  for (auto& run : runs) {
    run.trace->header.fingerprint = to_json(reference);
  }
  return runs;
}

void expect_merges_to(const std::vector<CellRun>& all, const Checking& checking,
                      const RunReport& whole) {
  for (int count : {2, 3}) {
    std::vector<ShardReport> shards;
    for (int i = 0; i < count; ++i) {
      shards.push_back(shard_report(all, i, count, checking));
    }
    RunReport merged = merge_shard_reports(shards);
    EXPECT_EQ(json_text(merged), json_text(whole)) << count << " shards";
  }
}

TEST(ShardMerge, GoldenNotesCountTheCellsOfEveryShard) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");  // empty: no cell has a golden of its class
  Checking checking;
  checking.golden = &store;
  std::vector<CellRun> all = full_design_runs();
  RunReport whole = whole_report(all, checking);
  ASSERT_FALSE(whole.golden_notes.empty());
  EXPECT_EQ(whole.golden_notes.back().rfind("5 cell(s) have no golden", 0), 0u)
      << whole.golden_notes.back();
  // Each shard alone counts fewer: the merged note must not be a shard's.
  EXPECT_EQ(shard_report(all, 1, 2, checking).report.golden_notes.back().rfind("3 cell(s)", 0), 0u);
  expect_merges_to(all, checking, whole);
}

TEST(ShardMerge, AppliesTheGoldenGateTheShardsRanUnder) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  std::vector<CellRun> all = on_reference_blas(full_design_runs());
  Checking portable;
  portable.golden = &store;
  portable.gate.require = GoldenRequirement::portable;
  RunReport whole = whole_report(all, portable);
  EXPECT_EQ(whole.exit_code, k_exit_determinism_broken);
  EXPECT_EQ(whole.findings.front().code, "golden_required");
  expect_merges_to(all, portable, whole);

  // --skip-without-golden: a passing run that compared no golden is skipped, merged too.
  std::vector<CellRun> same = on_reference_blas(
      {make_run(make_cell({{"blas", "openblas"}, {"threads", "1"}}, CellRole::baseline),
                make_trace(3)),
       make_run(make_cell({{"blas", "openblas"}, {"threads", "1"}}, CellRole::repeat),
                make_trace(3)),
       make_run(make_cell({{"blas", "atlas"}, {"threads", "1"}}), make_trace(3))});
  Checking skip;
  skip.golden = &store;
  skip.gate.skip_without_golden = true;
  RunReport skipped = whole_report(same, skip);
  EXPECT_EQ(skipped.exit_code, k_exit_nothing_ran);
  expect_merges_to(same, skip, skipped);
}

TEST(ShardMerge, RefusesMismatchedPlans) {
  std::vector<CellRun> all = full_design_runs();
  std::vector<ShardReport> shards = {shard_report(all, 0, 2), shard_report(all, 1, 2)};
  shards[1].report.plan->hash = "ffffffffffffffffffffffffffffffff";
  try {
    merge_shard_reports(shards);
    FAIL() << "merged shards of different plans";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("plan.hash"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("shard1.json"), std::string::npos) << e.what();
  }
}

TEST(ShardMerge, RefusesMissingDuplicateAndUnshardedReports) {
  std::vector<CellRun> all = full_design_runs();
  EXPECT_THROW(merge_shard_reports({shard_report(all, 0, 3), shard_report(all, 2, 3)}), Error);
  EXPECT_THROW(merge_shard_reports({shard_report(all, 0, 2), shard_report(all, 0, 2)}), Error);
  ShardReport unsharded = shard_report(all, 0, 1);
  unsharded.report.plan->shard.reset();
  EXPECT_THROW(merge_shard_reports({unsharded}), Error);
  EXPECT_THROW(merge_shard_reports({}), Error);
}

TEST(JsonReportReader, RoundTripsEveryField) {
  RunReport r = check_runs(input_for(full_design_runs()));
  r.plan = plan_of(full_design_runs(), ShardSpec{1, 4});
  r.cells[2].loss_by_step = {0.5, 0.25};
  r.cells[2].eval = {{"mean_iou", 0.4}, {"loss", 0.7}};
  OpLocalization op;
  op.status = "op";
  op.step = 1;
  op.lane = 0;
  op.index = 12;
  op.op = "aten::convolution_backward";
  op.module = "head";
  op.pass = "backward";
  op.inputs = {OpTensor{"float32", {8, 3, 1, 1}, false, {}}};
  op.outputs = {OpTensor{"float32", {3}, false, {}}};
  op.output = 0;
  op.max_abs_diff = 2.0e-08;
  op.max_ulp = 3;
  op.note = "the kernels inside it differ";
  op.seconds = 4.5;
  op.ops_compared = 240;
  r.cells[2].first_divergent_op = op;
  ASSERT_TRUE(r.cells[2].divergence_summary.has_value());  // what merge must carry
  RunReport back = run_report_from_json(nlohmann::json::parse(report_to_json(r).dump()), "r.json");
  EXPECT_EQ(json_text(back), json_text(r));
}

TEST(JsonReportReader, NamesTheFieldOfABadValue) {
  nlohmann::ordered_json j = report_to_json(check_runs(input_for(full_design_runs())));
  j["cells"][1]["verdict"] = "exploded";
  try {
    run_report_from_json(nlohmann::json::parse(j.dump()), "bad.json");
    FAIL() << "accepted an unknown verdict";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cells[1].verdict"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace repro
