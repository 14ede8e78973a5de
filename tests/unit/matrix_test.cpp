// Matrix: ofat and full expansion, cell ids, sharding, and run plans with overrides.
#include "harness/plan/matrix.hpp"

#include <gtest/gtest.h>

#include <set>

#include "harness/plan/run_plan.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

std::vector<MatrixAxis> three_axes() {
  return {{"threads", {"1", "2", "4"}}, {"seed", {"1", "2"}}, {"blas", {"atlas", "blis"}}};
}

std::vector<std::string> ids(const std::vector<Cell>& cells) {
  std::vector<std::string> out;
  for (const auto& c : cells) {
    out.push_back(c.id);
  }
  return out;
}

TEST(Matrix, OfatIsBaselineRepeatAndOneAxisAtATime) {
  auto cells = expand_matrix(three_axes(), Design::ofat);
  // 1 + sum(|values| - 1) = 1 + 2 + 1 + 1 = 5, plus the repeat.
  EXPECT_EQ(ids(cells), (std::vector<std::string>{
                            "blas=atlas,seed=1,threads=1",
                            "blas=atlas,seed=1,threads=1#repeat",
                            "blas=atlas,seed=1,threads=2",
                            "blas=atlas,seed=1,threads=4",
                            "blas=atlas,seed=2,threads=1",
                            "blas=blis,seed=1,threads=1",
                        }));
  EXPECT_EQ(cells[0].role, CellRole::baseline);
  EXPECT_EQ(cells[1].role, CellRole::repeat);
  EXPECT_EQ(cells[1].settings, cells[0].settings);
  EXPECT_EQ(cells[2].role, CellRole::variant);
  EXPECT_EQ(cells[2].varied_axis, "threads");
  EXPECT_EQ(cells[4].varied_axis, "seed");
  EXPECT_EQ(cells[5].varied_axis, "blas");
  EXPECT_EQ(cells[0].varied_axis, "");
}

TEST(Matrix, FullIsTheProductPlusTheRepeat) {
  auto cells = expand_matrix(three_axes(), Design::full);
  ASSERT_EQ(cells.size(), 3u * 2u * 2u + 1u);
  EXPECT_EQ(cells[0].role, CellRole::baseline);
  EXPECT_EQ(cells[1].role, CellRole::repeat);
  std::set<Settings> distinct;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i != 1) {
      EXPECT_TRUE(distinct.insert(cells[i].settings).second) << cells[i].id;
    }
    if (i >= 2) {
      EXPECT_EQ(cells[i].role, CellRole::variant);
      EXPECT_EQ(cells[i].varied_axis, "");
    }
  }
  EXPECT_EQ(distinct.size(), 12u);
  // Odometer order, last axis fastest.
  EXPECT_EQ(cells[2].id, "blas=blis,seed=1,threads=1");
  EXPECT_EQ(cells[3].id, "blas=atlas,seed=2,threads=1");
  EXPECT_EQ(cells.back().id, "blas=blis,seed=2,threads=4");
}

TEST(Matrix, SingleValueAxesGiveBaselineAndRepeat) {
  std::vector<MatrixAxis> axes = {{"device", {"cpu"}}};
  EXPECT_EQ(expand_matrix(axes, Design::ofat).size(), 2u);
  EXPECT_EQ(expand_matrix(axes, Design::full).size(), 2u);
}

TEST(Matrix, ShardsAreDisjointCompleteAndStable) {
  auto cells = expand_matrix(three_axes(), Design::full);
  for (int n = 1; n <= 15; ++n) {
    std::multiset<std::string> seen;
    size_t smallest = cells.size();
    size_t largest = 0;
    for (int i = 0; i < n; ++i) {
      auto part = shard(cells, i, n);
      EXPECT_EQ(ids(part), ids(shard(cells, i, n)));
      smallest = std::min(smallest, part.size());
      largest = std::max(largest, part.size());
      for (const auto& c : part) {
        seen.insert(c.id);
      }
    }
    EXPECT_EQ(seen.size(), cells.size()) << n;
    for (const auto& c : cells) {
      EXPECT_EQ(seen.count(c.id), 1u) << c.id << " in " << n << " shards";
    }
    EXPECT_LE(largest - smallest, 1u);
  }
  EXPECT_EQ(shard(cells, 0, 4).front().role, CellRole::baseline);
}

TEST(Matrix, ParsesShardSpecs) {
  auto s = parse_shard("1/3", "--shard");
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.count, 3);
  for (auto bad : {"3/3", "-1/3", "1/0", "1", "a/b", "1/3/4", "/3", "1/"}) {
    EXPECT_THROW(parse_shard(bad, "--shard"), Error) << bad;
  }
}

TEST(Matrix, ParsesDesigns) {
  EXPECT_EQ(design_from_string("full", "f", "design"), Design::full);
  EXPECT_EQ(to_string(Design::ofat), "ofat");
  EXPECT_THROW(design_from_string("OFAT", "f", "design"), Error);
}

Suite small_suite() {
  Suite s;
  s.name = "tiny";
  s.axes = {{"threads", {"1", "2"}}, {"seed", {"1", "2"}}};
  return s;
}

TEST(RunPlan, ParsesAxisOptions) {
  auto [name, values] = parse_axis_option("threads=1,2");
  EXPECT_EQ(name, "threads");
  EXPECT_EQ(values, (std::vector<std::string>{"1", "2"}));
  EXPECT_THROW(parse_axis_option("threads"), Error);
  EXPECT_THROW(parse_axis_option("=1"), Error);
  EXPECT_THROW(parse_axis_option("threads=1,,2"), Error);
  EXPECT_THROW(parse_axis_option("threads="), Error);
}

TEST(RunPlan, OverridesReplaceAndAddAxes) {
  RunOverrides o;
  o.devices = {"cpu", "cuda"};
  o.axes = {{"threads", {"1", "4"}}, {"blas", {"atlas"}}};
  o.design = Design::full;
  RunPlan plan = plan_run(small_suite(), o, nullptr);
  ASSERT_EQ(plan.suite.axes.size(), 4u);
  EXPECT_EQ(plan.suite.axes[0].values, (std::vector<std::string>{"1", "4"}));
  EXPECT_EQ(plan.suite.axes[2].name, "device");
  EXPECT_EQ(plan.suite.axes[2].values, (std::vector<std::string>{"cpu", "gpu"}));
  EXPECT_EQ(plan.suite.axes[3].name, "blas");
  EXPECT_EQ(plan.suite.design, Design::full);
  EXPECT_EQ(plan.cells.size(), 2u * 2u * 2u * 1u + 1u);
  // The advice to bless names these cells: the overrides, as `bless` takes them.
  EXPECT_EQ(plan.bless_arguments,
            (std::vector<std::string>{"--axis", "threads=1,4", "--axis", "device=cpu,gpu", "--axis",
                                      "blas=atlas", "--design", "full"}));
  EXPECT_TRUE(plan_run(small_suite(), RunOverrides{}, nullptr).bless_arguments.empty());
  o.axes = {{"colour", {"red"}}};
  EXPECT_THROW(plan_run(small_suite(), o, nullptr), Error);
}

TEST(RunPlan, FirstRunnableValueIsTheBaseline) {
  MachineFacts facts{std::nullopt,
                     "",
                     {},
                     BlasLocator(std::vector<std::filesystem::path>{}),
                     WorkerEnvironments()};
  Fingerprint fp;
  fp.cuda_unavailable_reason = "libtorch built without CUDA";
  facts.fingerprint = fp;
  AxisAvailability availability(facts);
  RunOverrides o;
  o.devices = {"gpu", "cpu"};
  RunPlan plan = plan_run(small_suite(), o, &availability);
  EXPECT_EQ(plan.suite.axes[2].values, (std::vector<std::string>{"cpu", "gpu"}));
  EXPECT_EQ(plan.cells[0].settings.at("device"), "cpu");
  EXPECT_EQ(plan.cells[0].role, CellRole::baseline);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("libtorch built without CUDA"), std::string::npos);
  // Where the GPU works, the order given stands.
  fp.cuda_available = true;
  facts.fingerprint = fp;
  AxisAvailability with_gpu(facts);
  EXPECT_EQ(plan_run(small_suite(), o, &with_gpu).cells[0].settings.at("device"), "gpu");
}

TEST(RunPlan, EveryShardRunsTheBaseline) {
  RunOverrides o;
  o.shard = ShardSpec{1, 2};
  RunPlan plan = plan_run(small_suite(), o, nullptr);
  ASSERT_EQ(plan.all_cells.size(), 4u);
  // Shard 1/2 holds positions 1 and 3 (the repeat and seed=2), plus the baseline.
  EXPECT_EQ(ids(plan.cells),
            (std::vector<std::string>{"seed=1,threads=1", "seed=1,threads=1#repeat",
                                      "seed=2,threads=1"}));
  o.shard = ShardSpec{0, 2};
  plan = plan_run(small_suite(), o, nullptr);
  EXPECT_EQ(ids(plan.cells), (std::vector<std::string>{"seed=1,threads=1", "seed=1,threads=2"}));
}

}  // namespace
}  // namespace repro
