// Suite files: valid suites load; every malformed field is named with the file.
#include "harness/plan/suite.hpp"

#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

nlohmann::json minimal_suite() {
  return {{"format_version", 1},
          {"name", "tiny"},
          {"description", "a test suite"},
          {"workload", {{"train", {{"steps", 2}}}}},
          {"axes", {{{"name", "threads"}, {"values", {1, 2}}}}}};
}

void expect_field_error(const nlohmann::json& j, const std::string& field,
                        const std::string& message_part = "") {
  try {
    parse_suite(j, "suites/tiny.json");
    FAIL() << "accepted " << j.dump();
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "suites/tiny.json") << e.what();
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(e.message().find(message_part), std::string::npos) << e.what();
  }
}

TEST(Suite, ParsesAMinimalSuiteWithDefaults) {
  Suite s = parse_suite(minimal_suite(), "suites/tiny.json");
  EXPECT_EQ(s.name, "tiny");
  EXPECT_EQ(s.workload.train.steps, 2);
  EXPECT_EQ(s.workload.model.width, WorkerConfig{}.model.width);
  ASSERT_EQ(s.axes.size(), 1u);
  EXPECT_EQ(s.axes[0].name, "threads");
  EXPECT_EQ(s.axes[0].values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(s.design, Design::ofat);
  EXPECT_TRUE(s.invariant.empty());
  EXPECT_FALSE(s.expect.seed_changes_results.has_value());
  EXPECT_EQ(s.cell_timeout_s, k_default_cell_timeout_s);
}

TEST(Suite, NormalizesValues) {
  auto j = minimal_suite();
  j["axes"] = {{{"name", "device"}, {"values", {"cpu", "cuda"}}},
               {{"name", "deterministic"}, {"values", {true, false}}},
               {{"name", "seed"}, {"values", {"007", 8}}}};
  Suite s = parse_suite(j, "suites/tiny.json");
  EXPECT_EQ(s.axes[0].values, (std::vector<std::string>{"cpu", "gpu"}));
  EXPECT_EQ(s.axes[1].values, (std::vector<std::string>{"on", "off"}));
  EXPECT_EQ(s.axes[2].values, (std::vector<std::string>{"7", "8"}));
}

TEST(Suite, ReadsEveryOptionalField) {
  auto j = minimal_suite();
  j["axes"].push_back({{"name", "seed"}, {"values", {1, 2}}});
  j["design"] = "full";
  j["invariant"] = {"threads"};
  j["expect"] = {{"seed_changes_results", true}};
  j["cell_timeout_s"] = 90;
  Suite s = parse_suite(j, "suites/tiny.json");
  EXPECT_EQ(s.design, Design::full);
  EXPECT_EQ(s.invariant, (std::vector<std::string>{"threads"}));
  EXPECT_EQ(s.expect.seed_changes_results, true);
  EXPECT_EQ(s.cell_timeout_s, 90);
}

TEST(Suite, NamesTheBadField) {
  auto j = minimal_suite();
  j.erase("format_version");
  expect_field_error(j, "format_version", "missing");
  j = minimal_suite();
  j["format_version"] = 2;
  expect_field_error(j, "format_version", "too new");
  j = minimal_suite();
  j["format_version"] = 0;
  expect_field_error(j, "format_version", "too old");
  j = minimal_suite();
  j["axis"] = nlohmann::json::array();
  expect_field_error(j, "axis", "unknown field");
  j = minimal_suite();
  j["name"] = "../etc";
  expect_field_error(j, "name");
  j = minimal_suite();
  j["workload"]["model"] = {{"width", 0}};
  expect_field_error(j, "workload.model.width");
  j = minimal_suite();
  j["workload"]["trian"] = nlohmann::json::object();
  expect_field_error(j, "workload.trian");
  j = minimal_suite();
  j.erase("workload");
  expect_field_error(j, "workload", "missing");
}

TEST(Suite, RejectsBadAxes) {
  auto j = minimal_suite();
  j["axes"] = nlohmann::json::array();
  expect_field_error(j, "axes", "at least one axis");
  j = minimal_suite();
  j["axes"][0]["name"] = "thread";
  expect_field_error(j, "axes[0].name", "unknown axis 'thread'");
  j = minimal_suite();
  j["axes"][0]["values"] = nlohmann::json::array();
  expect_field_error(j, "axes[0].values", "no values");
  j = minimal_suite();
  j["axes"][0]["values"] = {1, 2, 1};
  expect_field_error(j, "axes[0].values[2]", "duplicate value '1'");
  j = minimal_suite();
  j["axes"][0]["values"] = {0};
  expect_field_error(j, "axes[0].values[0]", "positive integer");
  j = minimal_suite();
  j["axes"][0]["values"] = {1.5};
  expect_field_error(j, "axes[0].values[0]");
  j = minimal_suite();
  j["axes"].push_back({{"name", "threads"}, {"values", {4}}});
  expect_field_error(j, "axes[1].name", "appears twice");
  j = minimal_suite();
  j["axes"] = {{{"name", "device"}, {"values", {"gpu", "cuda"}}}};
  expect_field_error(j, "axes[0].values[1]", "'cuda' means 'gpu'");
  j = minimal_suite();
  j["axes"] = {{{"name", "blas"}, {"values", {"mkl"}}}};
  expect_field_error(j, "axes[0].values[0]", "openblas-pthread");
  j = minimal_suite();
  j["axes"][0]["value"] = {1};
  expect_field_error(j, "axes[0].value", "unknown field");
}

TEST(Suite, RejectsBadInvariantDesignExpectAndTimeout) {
  auto j = minimal_suite();
  j["invariant"] = {"seed"};
  expect_field_error(j, "invariant[0]", "not one of the suite's axes");
  j["invariant"] = {"sead"};
  expect_field_error(j, "invariant[0]", "unknown axis");
  j["invariant"] = {"threads", "threads"};
  expect_field_error(j, "invariant[1]", "twice");
  j = minimal_suite();
  j["design"] = "factorial";
  expect_field_error(j, "design", "ofat or full");
  j = minimal_suite();
  j["expect"] = {{"seed_changes_results", true}};
  expect_field_error(j, "expect.seed_changes_results", "'seed' axis");
  j["expect"] = {{"seed_matters", true}};
  expect_field_error(j, "expect.seed_matters", "unknown field");
  j = minimal_suite();
  j["cell_timeout_s"] = 0;
  expect_field_error(j, "cell_timeout_s");
  j["cell_timeout_s"] = "60";
  expect_field_error(j, "cell_timeout_s");
}

TEST(Suite, LoadChecksTheNameMatchesTheFile) {
  test::TempDir dir;
  auto j = minimal_suite();
  write_file_atomic(dir / "suites/other.json", j.dump());
  try {
    load_suite(dir / "suites/other.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "name");
  }
  write_file_atomic(dir / "suites/tiny.json", j.dump());
  EXPECT_EQ(find_suite(dir.path(), "tiny").path, dir / "suites/tiny.json");
}

TEST(Suite, MissingSuiteListsTheSuitesThere) {
  test::TempDir dir;
  write_file_atomic(dir / "suites/tiny.json", minimal_suite().dump());
  try {
    find_suite(dir.path(), "smoke");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("suites here: tiny"), std::string::npos) << e.what();
  }
  EXPECT_THROW(find_suite(dir.path(), "../tiny"), Error);
}

TEST(Suite, MalformedJsonNamesTheFile) {
  test::TempDir dir;
  write_file_atomic(dir / "suites/tiny.json", "{\"format_version\": 1,");
  try {
    load_suite(dir / "suites/tiny.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), (dir / "suites/tiny.json").string());
  }
}

TEST(Suite, SetAxisValuesReplacesOrAppends) {
  Suite s = parse_suite(minimal_suite(), "suites/tiny.json");
  set_axis_values(s, "threads", {"4"}, "--axis");
  EXPECT_EQ(s.axes[0].values, (std::vector<std::string>{"4"}));
  set_axis_values(s, "device", {"cuda", "cpu"}, "--matrix");
  ASSERT_EQ(s.axes.size(), 2u);
  EXPECT_EQ(s.axes[1].name, "device");
  EXPECT_EQ(s.axes[1].values, (std::vector<std::string>{"gpu", "cpu"}));
  EXPECT_THROW(set_axis_values(s, "device", {"gpu", "cuda"}, "--matrix"), Error);
  EXPECT_THROW(set_axis_values(s, "colour", {"red"}, "--axis"), Error);
  EXPECT_THROW(set_axis_values(s, "threads", {}, "--axis"), Error);
}

TEST(Suite, CommittedSuitesLoad) {
  for (const auto& name : {"smoke", "pr", "nightly"}) {
    SCOPED_TRACE(name);
    Suite s = find_suite(test::source_dir(), name);
    EXPECT_EQ(s.name, name);
    EXPECT_FALSE(s.description.empty());
  }
  EXPECT_EQ(find_suite(test::source_dir(), "nightly").design, Design::full);
}

}  // namespace
}  // namespace repro
