// WorkerConfig: round trip and errors that name the file and the field.
#include "harness/trace/worker_config.hpp"

#include <gtest/gtest.h>

#include "harness/util/error.hpp"

namespace repro {
namespace {

TEST(WorkerConfig, RoundTripsThroughJson) {
  WorkerConfig c;
  c.model.variant = "mobilenet";
  c.model.width = 16;
  c.train.mode = "strict";
  c.train.batch_size = 8;
  c.train.shards = 4;
  c.train.seed = 42;
  c.settings.threads = 2;
  c.settings.deterministic = true;
  EXPECT_EQ(worker_config_from_json(to_json(c), "c.json"), c);
}

TEST(WorkerConfig, AbsentFieldsTakeDefaults) {
  nlohmann::json j = {{"format_version", 1}};
  EXPECT_EQ(worker_config_from_json(j, "c.json"), WorkerConfig{});
}

void expect_field_error(nlohmann::json j, const std::string& field) {
  try {
    worker_config_from_json(j, "cfg.json");
    FAIL() << "accepted " << j.dump();
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "cfg.json");
    EXPECT_EQ(e.field(), field) << e.what();
  }
}

TEST(WorkerConfig, NamesTheBadField) {
  expect_field_error({{"format_version", 1}, {"model", {{"variant", "resnet"}}}}, "model.variant");
  expect_field_error({{"format_version", 1}, {"train", {{"steps", 0}}}}, "train.steps");
  expect_field_error({{"format_version", 1}, {"train", {{"stpes", 3}}}}, "train.stpes");
  expect_field_error({{"format_version", 1}, {"settings", {{"threads", "two"}}}},
                     "settings.threads");
  expect_field_error({{"format_version", 1}, {"data", {{"source", "oxford"}}}}, "data.path");
  expect_field_error(
      {{"format_version", 1}, {"train", {{"mode", "strict"}, {"batch_size", 6}, {"shards", 4}}}},
      "train.shards");
  expect_field_error({{"format_version", 2}}, "format_version");
  expect_field_error({{"format_version", 1}, {"settings", {{"fault", "Bad,Name"}}}},
                     "settings.fault");
}

TEST(WorkerConfig, PlantedFaultTravelsOnlyWhenPlanted) {
  WorkerConfig config;
  EXPECT_FALSE(to_json(config)["settings"].contains("fault"));
  config.settings.fault = "param-ulp@3";
  nlohmann::json j = to_json(config);
  EXPECT_EQ(j["settings"]["fault"], "param-ulp@3");
  EXPECT_EQ(worker_config_from_json(j, "cfg.json"), config);
  EXPECT_FALSE(is_fault_token(""));
  EXPECT_FALSE(is_fault_token("a=b"));
  EXPECT_TRUE(is_fault_token("unseeded-dropout"));
}

}  // namespace
}  // namespace repro
