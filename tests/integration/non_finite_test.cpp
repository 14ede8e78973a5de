// Real runs with NaN: a non-finite loss is a finding with its first step and tensor, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "harness/trace/trace.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

nlohmann::json finding(const nlohmann::json& report, const std::string& code) {
  for (const auto& f : report["findings"]) {
    if (f["code"] == code) {
      return f;
    }
  }
  return nlohmann::json();
}

TEST(NonFinite, NanLossAtStepTwoIsAFindingAndBreaksAnInvariantAxis) {
  ScratchProject project;
  project.write_suite("nan", {{{"name", "fault"}, {"values", {"none", "nan-loss@2"}}}},
                      {{"invariant", {"fault"}}, {"workload", {{"train", {{"steps", 4}}}}}});
  nlohmann::json report;
  CliResult r = project.run("nan", {"--keep-runs"}, &report);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  ASSERT_TRUE(report.is_object()) << r.out << r.err;
  nlohmann::json cell = cell_with(report, "fault", "nan-loss@2");
  EXPECT_EQ(cell["verdict"], "diverged") << cell.dump(2);
  EXPECT_EQ(cell["first_divergence"]["step"], 2) << cell.dump(2);
  nlohmann::json f = finding(report, "non_finite");
  ASSERT_TRUE(f.is_object()) << report.dump(2);
  const std::string message = f["message"].get<std::string>();
  EXPECT_NE(message.find("loss non-finite from step 2 (cell fault=nan-loss@2): nan"),
            std::string::npos)
      << message;
  // The loss (trace order: batch, buffers, loss, ...) is the first non-finite tensor.
  EXPECT_NE(message.find("the first non-finite value is at step 2 in loss (loss)"),
            std::string::npos)
      << message;
  EXPECT_NE(r.out.find("loss non-finite from step 2"), std::string::npos) << r.out;
  for (const auto& c : report["cells"]) {
    EXPECT_NE(c["verdict"], "crashed") << c.dump(2);
  }
}

TEST(NonFinite, TheWorkersNanTraceReadsBackWithExactBits) {
  ScratchProject project;
  project.write_suite("nan", {{{"name", "fault"}, {"values", {"nan-loss@1"}}}});
  CliResult r = project.run("nan", {"--keep-runs"}, nullptr);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The kept run folder holds the baseline's trace.
  std::filesystem::path trace_path;
  for (const auto& e : std::filesystem::recursive_directory_iterator(project.root() / ".repro")) {
    if (e.path().filename() == "trace.jsonl" && trace_path.empty()) {
      trace_path = e.path();
    }
  }
  ASSERT_FALSE(trace_path.empty()) << r.err;
  Trace trace = read_trace(trace_path);
  ASSERT_EQ(trace.steps.size(), 3u);
  EXPECT_FALSE(std::isnan(trace.steps[0].loss_value));
  EXPECT_EQ(trace.steps[1].loss_bits, "7fc00000");  // the planted quiet NaN, bit for bit
  for (size_t s = 1; s < 3; ++s) {
    EXPECT_TRUE(std::isnan(trace.steps[s].loss_value)) << s;
  }
  bool param_marked = false;
  for (const auto& t : trace.steps[1].tensors) {
    param_marked = param_marked || (t.kind == TensorKind::param && t.non_finite);
    if (t.kind == TensorKind::batch) {
      EXPECT_FALSE(t.non_finite) << t.name;
    }
  }
  EXPECT_TRUE(param_marked);
}

}  // namespace
}  // namespace repro::test
