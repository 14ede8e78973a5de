// Suite passthrough for outside workers: workload.extra and per-axis-value environments.
#include <gtest/gtest.h>

#include "harness/plan/suite.hpp"
#include "harness/run/cell_launch.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/golden_config.hpp"

namespace repro {
namespace {

nlohmann::json suite_with(const nlohmann::json& axes, const nlohmann::json& extra = nullptr) {
  nlohmann::json j = {{"format_version", 1},
                      {"name", "tiny"},
                      {"workload", {{"train", {{"steps", 2}}}}},
                      {"axes", axes}};
  if (!extra.is_null()) {
    j["workload"]["extra"] = extra;
  }
  return j;
}

Error rejection(const nlohmann::json& suite) {
  try {
    parse_suite(suite, "suites/tiny.json");
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "accepted " << suite.dump();
  return Error("", "", "");
}

TEST(SuitePassthrough, ExtraReachesTheConfigAndItsHash) {
  nlohmann::json axes = {{{"name", "seed"}, {"values", {1}}}};
  Suite plain = parse_suite(suite_with(axes), "suites/tiny.json");
  Suite with = parse_suite(suite_with(axes, {{"channels_last", true}, {"mode", {{"k", 2}}}}),
                           "suites/tiny.json");
  EXPECT_FALSE(to_json(plain.workload).contains("extra"));  // old hashes do not move
  nlohmann::json config = to_json(cell_config(with.workload, {{"seed", "1"}}));
  ASSERT_TRUE(config.contains("extra"));
  EXPECT_EQ(config["extra"]["channels_last"], true);
  EXPECT_EQ(worker_config_from_json(config, "config.json").extra, with.workload.extra);
  ConfigFields fields = flatten_config(config);
  bool named = false;
  for (const auto& [name, value] : fields) {
    named = named || (name == "extra.mode.k" && value == "2");
  }
  EXPECT_TRUE(named);
  EXPECT_NE(config_hash(fields), config_hash(flatten_config(to_json(plain.workload))));
  nlohmann::json other = with.workload.extra;
  other["channels_last"] = false;
  WorkerConfig changed = with.workload;
  changed.extra = other;
  EXPECT_NE(config_hash(flatten_config(to_json(changed))), config_hash(fields));
}

TEST(SuitePassthrough, ExtraMustBeAnObject) {
  Error e = rejection(suite_with({{{"name", "seed"}, {"values", {1}}}}, 3));
  EXPECT_EQ(e.field(), "workload.extra");
}

TEST(SuitePassthrough, AxisValueEnvironmentReachesOnlyItsCells) {
  Suite s = parse_suite(
      suite_with({{{"name", "worker"},
                   {"values", {"default", "/opt/w/worker"}},
                   {"env", {{"/opt/w/worker", {{"MY_BACKEND", "fast"}, {"PYTHONHASHSEED", "0"}}}}}},
                  {{"name", "device"}, {"values", {"cuda"}}, {"env", {{"gpu", {{"X", "1"}}}}}}}),
      "suites/tiny.json");
  ASSERT_EQ(s.axis_env.at("worker").at("/opt/w/worker").at("MY_BACKEND"), "fast");
  EXPECT_EQ(s.axis_env.at("device").at("gpu").at("X"), "1");  // "cuda" normalized to gpu
  LaunchContext context;
  context.parent_env = {{"PATH", "/usr/bin"}};
  context.axis_env = s.axis_env;
  Environment outside = cell_environment({{"worker", "/opt/w/worker"}}, s.workload, context);
  EXPECT_EQ(outside.at("MY_BACKEND"), "fast");
  EXPECT_EQ(outside.at("PYTHONHASHSEED"), "0");
  Environment ours = cell_environment({{"worker", "default"}}, s.workload, context);
  EXPECT_FALSE(ours.contains("MY_BACKEND"));
}

TEST(SuitePassthrough, AxisEnvironmentNamesItsErrors) {
  Error unknown =
      rejection(suite_with({{{"name", "seed"}, {"values", {1}}, {"env", {{"2", {{"A", "b"}}}}}}}));
  EXPECT_EQ(unknown.field(), "axes[0].env.2");
  EXPECT_NE(unknown.message().find("not one of the values"), std::string::npos);
  Error owned = rejection(suite_with(
      {{{"name", "seed"}, {"values", {1}}, {"env", {{"1", {{"OMP_NUM_THREADS", "4"}}}}}}}));
  EXPECT_EQ(owned.field(), "axes[0].env.1.OMP_NUM_THREADS");
  Error bad_name = rejection(
      suite_with({{{"name", "seed"}, {"values", {1}}, {"env", {{"1", {{"1A=", "x"}}}}}}}));
  EXPECT_NE(bad_name.message().find("suite.schema.json"), std::string::npos) << bad_name.message();
  Error not_text =
      rejection(suite_with({{{"name", "seed"}, {"values", {1}}, {"env", {{"1", {{"A", 1}}}}}}}));
  EXPECT_EQ(not_text.field(), "axes[0].env.1.A");
}

}  // namespace
}  // namespace repro
