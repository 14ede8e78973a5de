// What another libtorch did: one line per worker-environment cell, named by the libtorch
// versions of both traces, with the first divergent op once the diagnosis found it.
#include "harness/verdict/library_versions.hpp"

#include <gtest/gtest.h>

#include <map>

#include "harness/verdict/check.hpp"
#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

Trace trace_of_libtorch(const std::string& version) {
  Trace t = make_trace(3);
  t.header.fingerprint["libtorch_version"] = version;
  return t;
}

OpTensor op_tensor(std::uint64_t salt) {
  OpTensor t;
  t.dtype = "float32";
  t.shape = {8};
  t.has_digest = true;
  t.digest = Digest{3, salt};
  return t;
}

// The batch-norm backward of dec1.bn2, after `before` other ops (libtorch 2.6 runs fewer).
OpTrace batch_norm_backward_trace(int before, std::uint64_t output) {
  OpTrace t;
  t.producer = "test";
  t.step = 1;
  for (int i = 0; i <= before; ++i) {
    OpRecord r;
    r.lane = -1;
    r.index = i;
    r.name = i == before ? "aten::native_batch_norm_backward" : "aten::relu";
    r.pass = i == before ? "backward" : "forward";
    r.module = "dec1.bn2";
    r.inputs = {op_tensor(1)};
    r.outputs = {op_tensor(i == before ? output : 2)};
    if (i < before) {
      r.depth = 1;  // inside the first op's call: compared only through it
    }
    t.ops.push_back(r);
  }
  return t;
}

class CannedOpTraces : public OpTraceProvider {
 public:
  std::map<std::string, OpTrace> traces;
  std::optional<OpTrace> op_trace(const Cell& cell, int, std::string*) override {
    return traces.at(cell.id);
  }
  std::optional<TensorDump> op_outputs(const Cell& cell, int, int, int, OpTrace* trace,
                                       std::string* error) override {
    *trace = traces.at(cell.id);
    *error = "no dumps in this test";
    return std::nullopt;
  }
};

TEST(LibraryVersions, NamesBothLibtorchVersionsAndWhereTheUpgradeDiverges) {
  Cell baseline = make_cell({{"worker", "default"}}, CellRole::baseline);
  Cell upgraded = make_cell({{"worker", "debian13"}}, CellRole::variant, "worker");
  Trace changed = trace_of_libtorch("2.6.0");
  test::diverge(changed, 1, "dec1.conv1.weight.grad");
  std::vector<CellRun> runs = {make_run(baseline, trace_of_libtorch("1.13.0")),
                               make_run(upgraded, changed)};
  std::vector<LibraryVersionLine> lines = library_version_lines(runs);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].cell_id, upgraded.id);
  EXPECT_EQ(lines[0].text.rfind("worker default → debian13 (libtorch 1.13.0 → 2.6.0): differs "
                                "from the baseline at step 1 in dec1.conv1.weight.grad",
                                0),
            0u)
      << lines[0].text;

  // Bit-identical under both: said so, with no divergence.
  runs[1] = make_run(upgraded, trace_of_libtorch("2.6.0"));
  lines = library_version_lines(runs);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].text.find("(libtorch 1.13.0 → 2.6.0): identical (3 steps)"), std::string::npos)
      << lines[0].text;
}

TEST(LibraryVersions, NamesWhatElseTheUpgradeChangedAndHowToPinTheCpuCapability) {
  Trace from = trace_of_libtorch("1.13.0");
  from.header.fingerprint["blas_version"] = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH Cooperlake";
  from.header.fingerprint["cpu_capability"] = "avx2";
  from.header.fingerprint["compiler"] = "GCC 12.2.0";
  from.header.fingerprint["os"] = "Debian GNU/Linux 12 (bookworm)";
  Trace to = trace_of_libtorch("2.6.0");
  to.header.fingerprint["blas_version"] = "OpenBLAS 0.3.29 NO_LAPACKE DYNAMIC_ARCH Cooperlake";
  to.header.fingerprint["cpu_capability"] = "avx512";
  to.header.fingerprint["compiler"] = "GCC 14.2.0";
  to.header.fingerprint["os"] = "Debian GNU/Linux 13 (trixie)";
  EXPECT_EQ(
      companion_changes(from, to),
      (std::vector<std::string>{"OpenBLAS 0.3.21 → OpenBLAS 0.3.29", "cpu_capability avx2 → avx512",
                                "compiler GCC 12.2.0 → GCC 14.2.0",
                                "Debian GNU/Linux 12 (bookworm) → Debian GNU/Linux 13 (trixie)"}));
  test::diverge(to, 0, "dec1.conv1.weight.grad");
  Cell baseline = make_cell({{"worker", "default"}}, CellRole::baseline);
  Cell upgraded = make_cell({{"worker", "debian13"}}, CellRole::variant, "worker");
  std::vector<LibraryVersionLine> lines =
      library_version_lines({make_run(baseline, from), make_run(upgraded, to)});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].text.find("(libtorch 1.13.0 → 2.6.0; with it: OpenBLAS 0.3.21 → OpenBLAS "
                               "0.3.29, cpu_capability avx2 → avx512, compiler GCC 12.2.0 → GCC "
                               "14.2.0, Debian GNU/Linux 12 (bookworm) → Debian GNU/Linux 13 "
                               "(trixie)): differs from the baseline at step 0"),
            std::string::npos)
      << lines[0].text;
  EXPECT_EQ(lines[0].text.find("--axis cpu_capability"), std::string::npos) << lines[0].text;
  EXPECT_EQ(lines[0].advice,
            "the default cpu_capability changed with it: add --axis cpu_capability=avx2 to pin "
            "it in both and tell the two apart");
  OpLocalization op;
  op.status = "op";
  op.op = "aten::native_batch_norm_backward";
  const std::string text = with_first_divergent_op(lines[0], op);
  EXPECT_LT(text.find("aten::native_batch_norm_backward"), text.find("--axis cpu_capability"))
      << "the op, then the advice: " << text;
}

TEST(LibraryVersions, TheReportLineNamesTheFirstDivergentOp) {
  Cell baseline = make_cell({{"worker", "default"}}, CellRole::baseline);
  Cell upgraded = make_cell({{"worker", "debian13"}}, CellRole::variant, "worker");
  Trace changed = trace_of_libtorch("2.6.0");
  test::diverge(changed, 1, "dec1.conv1.weight.grad");
  CannedOpTraces ops;
  ops.traces[baseline.id] = batch_norm_backward_trace(3, 10);
  ops.traces[upgraded.id] = batch_norm_backward_trace(1, 11);
  CheckInput input;
  input.suite = "versions";
  input.design = "ofat";
  input.runs = {make_run(baseline, trace_of_libtorch("1.13.0")), make_run(upgraded, changed)};
  input.op_traces = &ops;
  input.localize = true;
  RunReport r = check_runs(input);
  const Finding* line = nullptr;
  for (const auto& f : r.findings) {
    if (f.code == "library_versions") {
      line = &f;
    }
  }
  ASSERT_NE(line, nullptr);
  EXPECT_NE(line->message.find("(libtorch 1.13.0 → 2.6.0): differs from the baseline at step 1 "
                               "in dec1.conv1.weight.grad"),
            std::string::npos)
      << line->message;
  EXPECT_NE(line->message.find("; the first divergent op is aten::native_batch_norm_backward in "
                               "dec1.bn2 (backward, step 1): inputs bit-identical, output 0"),
            std::string::npos)
      << line->message;
  EXPECT_NE(std::find(r.summary.begin(), r.summary.end(), line->message), r.summary.end());
}

TEST(LibraryVersions, OnlyALocalizedOpIsAdded) {
  LibraryVersionLine line{"worker=debian13", "worker default → debian13 (...): differs", ""};
  EXPECT_EQ(with_first_divergent_op(line, std::nullopt), line.text);
  OpLocalization skipped;
  skipped.status = "not_localized";
  EXPECT_EQ(with_first_divergent_op(line, skipped), line.text);
  OpLocalization found;
  found.status = "op";
  found.op = "aten::convolution_backward";
  found.module = "head";
  found.pass = "backward";
  EXPECT_EQ(with_first_divergent_op(line, found),
            line.text +
                "; the first divergent op is aten::convolution_backward in head "
                "(backward, step 0): inputs bit-identical, output 0 differs");
}

}  // namespace
}  // namespace repro
