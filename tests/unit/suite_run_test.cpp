// run_suite with the fake runner: which cells run, which fingerprint decides the environment
// class, and the suite's expectations.
#include "harness/run/suite_run.hpp"

#include <gtest/gtest.h>

#include "tests/support/fake_runner.hpp"

namespace repro {
namespace {

RunPlan seed_plan(std::optional<bool> seed_changes_results) {
  Suite suite;
  suite.name = "tiny";
  suite.axes = {{"threads", {"1", "2"}}, {"seed", {"1", "2"}}};
  suite.expect.seed_changes_results = seed_changes_results;
  return plan_run(suite, RunOverrides{}, nullptr);
}

Fingerprint fingerprint(const std::string& blas) {
  Fingerprint fp;
  fp.libtorch_version = "1.13.0";
  fp.blas_build = blas;
  fp.cpu_capability = "avx2";
  fp.device = "cpu";
  return fp;
}

// Every cell runs the same trace except those whose `axis` is `value`: they diverge at step 1.
test::FakeRunner::Outcome diverging(const std::string& axis, const std::string& value) {
  return [axis, value](const Cell& cell) {
    bool differs = cell.settings.at(axis) == value;
    return test::ran_cell(cell, test::synthetic_trace(3, 0, differs ? 1 : -1));
  };
}

TEST(SuiteRun, RunsExactlyThePlannedCells) {
  RunPlan plan = seed_plan(std::nullopt);
  test::FakeRunner runner;
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = &runner;
  int progress_calls = 0;
  input.progress = [&](const RunProgress&) { ++progress_calls; };
  SuiteRunResult result = run_suite(input);
  EXPECT_EQ(runner.requested(),
            (std::vector<std::string>{"seed=1,threads=1", "seed=1,threads=1#repeat",
                                      "seed=1,threads=2", "seed=2,threads=1"}));
  EXPECT_EQ(runner.calls(), 1);
  EXPECT_EQ(progress_calls, 4);
  EXPECT_EQ(result.runs.size(), 4u);
  EXPECT_EQ(result.report.suite, "tiny");
  EXPECT_EQ(result.report.design, "ofat");
  EXPECT_EQ(result.report.repeatable, true);
}

TEST(SuiteRun, EnvironmentClassComesFromTheBaselinesTrace) {
  RunPlan plan = seed_plan(std::nullopt);
  test::FakeRunner runner([](const Cell& cell) {
    Trace trace = test::synthetic_trace(3);
    trace.header.fingerprint = to_json(fingerprint("atlas"));
    return test::ran_cell(cell, trace);
  });
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = &runner;
  input.fallback_fingerprint = fingerprint("openblas-pthread");
  EXPECT_EQ(run_suite(input).report.environment_class, environment_class(fingerprint("atlas")));

  test::FakeRunner without_header;
  input.runner = &without_header;
  EXPECT_EQ(run_suite(input).report.environment_class,
            environment_class(fingerprint("openblas-pthread")));
}

TEST(SuiteRun, SeedWithoutEffectFailsASuiteThatExpectsOne) {
  RunPlan plan = seed_plan(true);
  test::FakeRunner runner;  // every cell identical: the seed changes nothing
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = &runner;
  RunReport report = run_suite(input).report;
  EXPECT_EQ(report.exit_code, k_exit_determinism_broken);
  EXPECT_FALSE(report.pass);
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings.back().code, "expectation_failed");
  EXPECT_NE(report.culprit.find("seed has no effect"), std::string::npos) << report.culprit;
}

TEST(SuiteRun, SeedThatChangesResultsMeetsTheExpectation) {
  RunPlan plan = seed_plan(true);
  test::FakeRunner runner(diverging("seed", "2"));
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = &runner;
  EXPECT_EQ(run_suite(input).report.exit_code, k_exit_ok);
}

TEST(SuiteRun, SeedThatMustNotMatterButDoesFails) {
  RunPlan plan = seed_plan(false);
  test::FakeRunner runner(diverging("seed", "2"));
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = &runner;
  EXPECT_EQ(run_suite(input).report.exit_code, k_exit_determinism_broken);
}

TEST(SuiteRun, NothingRunnableIsTheSkipCode) {
  RunPlan plan = seed_plan(std::nullopt);
  test::FakeRunner runner([](const Cell& cell) {
    CellRun run;
    run.cell = cell;
    run.status = RunStatus::skipped;
    run.reason = "device=gpu: libtorch built without CUDA";
    return run;
  });
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = &runner;
  SuiteRunResult result = run_suite(input);
  EXPECT_TRUE(nothing_ran(result.runs));
  EXPECT_EQ(result.report.exit_code, k_exit_nothing_ran);
}

TEST(SuiteRun, CrashedVariantIsAnInfrastructureFailure) {
  RunPlan plan = seed_plan(std::nullopt);
  test::FakeRunner runner(diverging("threads", "2"));
  CellRun crashed;
  crashed.status = RunStatus::crashed;
  crashed.reason = "exit 3 (worker runtime failure): out of memory";
  runner.set_result("seed=2,threads=1", crashed);
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = &runner;
  SuiteRunResult result = run_suite(input);
  EXPECT_EQ(result.runs[3].status, RunStatus::crashed);
  EXPECT_EQ(result.runs[3].cell.id, "seed=2,threads=1");
  EXPECT_EQ(result.report.exit_code, k_exit_infrastructure);
}

}  // namespace
}  // namespace repro
