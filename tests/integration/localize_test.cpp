// Real runs with --localize: the first divergent op of real settings and of planted faults.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/plan/axis_availability.hpp"
#include "harness/plan/blas_locator.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

// The first_divergent_op object of the cell with axis=value (asserting it is there).
nlohmann::json op_of(const nlohmann::json& report, const std::string& axis,
                     const std::string& value) {
  nlohmann::json cell = cell_with(report, axis, value);
  EXPECT_EQ(cell["verdict"], "diverged") << report.dump(2);
  EXPECT_TRUE(cell["first_divergent_op"].is_object()) << cell.dump(2);
  return cell["first_divergent_op"].is_object() ? cell["first_divergent_op"] : nlohmann::json{};
}

TEST(Localize, ThreadsOneToTwoStartsInBackwardAtTheHead) {
  ScratchProject project;
  project.write_suite("threads", {{{"name", "threads"}, {"values", {1, 2}}}});
  nlohmann::json report;
  CliResult r = project.run("threads", {"--localize"}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json cell = cell_with(report, "threads", "2");
  // Everything that differs, grouped: the loss and buffers are identical, the gradients
  // are not, starting at the head (the first gradient backward produces).
  ASSERT_TRUE(cell["divergence_summary"].is_object()) << cell.dump(2);
  EXPECT_EQ(cell["divergence_summary"]["starts_in"], "backward") << cell.dump(2);
  EXPECT_EQ(cell["divergence_summary"]["start_module"], "head") << cell.dump(2);
  EXPECT_EQ(cell["first_divergence"]["tensor"].get<std::string>().rfind("head.", 0), 0u)
      << cell.dump(2);
  // The op trace sees further than the step record: at two threads libtorch picks another
  // kernel for the head's 1x1 convolution (mkldnn instead of thnn), whose logits differ
  // while the loss rounds to the same bits; the first digests that differ are then the
  // head's gradients.
  nlohmann::json op = op_of(report, "threads", "2");
  EXPECT_EQ(op["status"], "op") << op.dump(2);
  EXPECT_EQ(op["pass"], "forward") << op.dump(2);
  EXPECT_EQ(op["module"], "head") << op.dump(2);
  EXPECT_EQ(op["op"], "aten::_convolution") << op.dump(2);
  EXPECT_NE(op["text"].get<std::string>().find("different kernels"), std::string::npos)
      << op.dump(2);
  EXPECT_TRUE(op["max_ulp"].is_number_integer()) << op.dump(2);
  EXPECT_NE(r.out.find("the first divergent op is"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("→ pin threads"), std::string::npos) << r.out;
}

TEST(Localize, BlasOpenblasToBlisStartsInTheHeadsWeightGradient) {
  BlasLocator blas;
  if (!blas.find("openblas-pthread") || !blas.find("blis")) {
    GTEST_SKIP() << blas.missing_reason("openblas-pthread") << blas.missing_reason("blis");
  }
  ScratchProject project;
  project.write_suite("blas", {{{"name", "blas"}, {"values", {"openblas-pthread", "blis"}}}});
  nlohmann::json report;
  CliResult r = project.run("blas", {"--localize"}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The op trace shows that the first op the BLAS build changes is the GEMM of the head's
  // convolution backward (its weight gradient, output 1), not the transposed convolution
  // up2: forward is bit-identical under both builds on this workload.
  nlohmann::json op = op_of(report, "blas", "blis");
  EXPECT_EQ(op["status"], "op") << op.dump(2);
  EXPECT_EQ(op["pass"], "backward") << op.dump(2);
  EXPECT_EQ(op["module"], "head") << op.dump(2);
  EXPECT_EQ(op["op"], "aten::_slow_conv2d_backward") << op.dump(2);
  EXPECT_EQ(op["output"], 1) << op.dump(2);
}

TEST(Localize, CpuCapabilityAvx2ToAvx512NamesTheOp) {
  auto flags = read_cpu_flags();
  const auto& supported = worker_fingerprint().cpu_capabilities_supported;
  if (!flags.contains("avx512f") ||
      std::find(supported.begin(), supported.end(), "avx512") == supported.end()) {
    GTEST_SKIP() << "this CPU (or the worker's libtorch) lacks AVX-512";
  }
  ScratchProject project;
  project.write_suite("isa", {{{"name", "cpu_capability"}, {"values", {"avx2", "avx512"}}}});
  nlohmann::json report;
  CliResult r = project.run("isa", {"--localize"}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json op = op_of(report, "cpu_capability", "avx512");
  EXPECT_EQ(op["status"], "op") << op.dump(2);
  // The head's bias gradient (output 2 of the convolution backward: a reduction whose
  // vectorised order depends on the ISA).
  EXPECT_EQ(op["pass"], "backward") << op.dump(2);
  EXPECT_EQ(op["module"], "head") << op.dump(2);
  EXPECT_EQ(op["op"], "aten::_slow_conv2d_backward") << op.dump(2);
  EXPECT_EQ(op["output"], 2) << op.dump(2);
  EXPECT_NE(r.out.find("ATEN_CPU_CAPABILITY"), std::string::npos) << r.out;
}

struct Planted {
  std::string fault;
  std::string op;
  std::string pass;
  std::string module;
};

class LocalizePlanted : public ::testing::TestWithParam<Planted> {};

TEST_P(LocalizePlanted, OneUlpInOneOpIsFoundThere) {
  const Planted& p = GetParam();
  ScratchProject project;
  project.write_suite("planted", {{{"name", "fault"}, {"values", {"none", p.fault}}}});
  nlohmann::json report;
  CliResult r = project.run("planted", {"--localize"}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json cell = cell_with(report, "fault", p.fault);
  EXPECT_EQ(cell["first_divergence"]["step"], 1) << cell.dump(2);
  nlohmann::json op = op_of(report, "fault", p.fault);
  EXPECT_EQ(op["status"], "op") << op.dump(2);
  EXPECT_EQ(op["op"], p.op) << op.dump(2);
  EXPECT_EQ(op["pass"], p.pass) << op.dump(2);
  EXPECT_EQ(op["module"], p.module) << op.dump(2);
  EXPECT_EQ(op["step"], 1) << op.dump(2);
  EXPECT_EQ(op["max_ulp"], 1) << op.dump(2);
}

INSTANTIATE_TEST_SUITE_P(Passes, LocalizePlanted,
                         ::testing::Values(Planted{"op-ulp:forward:aten::convolution@1",
                                                   "aten::convolution", "forward", "enc1.conv1"},
                                           Planted{"op-ulp:backward:aten::convolution_backward@1",
                                                   "aten::convolution_backward", "backward",
                                                   "head"},
                                           Planted{"op-ulp:optimizer:aten::addcdiv_@1",
                                                   "aten::addcdiv_", "optimizer", "enc1.conv1"}));

TEST(Repeats, EveryRepeatIsComparedAndCounted) {
  ScratchProject project;
  project.write_suite("repeats", {{{"name", "threads"}, {"values", {1}}}});
  nlohmann::json report;
  CliResult r = project.run("repeats", {"--repeats", "3"}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(report["cells"].size(), 4u) << report.dump(2);
  EXPECT_EQ(report["cells"][3]["id"].get<std::string>().ends_with("#repeat3"), true);
  EXPECT_EQ(report["repeats"]["compared"], 3);
  EXPECT_EQ(report["repeats"]["identical"], 3);
  EXPECT_NE(r.out.find("repeats: 3 of 3 bit-identical to the baseline"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace repro::test
