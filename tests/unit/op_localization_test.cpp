// Op traces (write/read) and the first divergent op between two of them.
#include "harness/verdict/op_localization.hpp"

#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

OpTensor tensor(std::uint64_t salt) {
  OpTensor t;
  t.dtype = "float32";
  t.shape = {2, 3};
  t.has_digest = true;
  t.digest = Digest{7, salt};
  return t;
}

OpRecord op(int lane, int index, std::string name, std::string pass, std::string module,
            std::uint64_t in, std::uint64_t out) {
  OpRecord r;
  r.lane = lane;
  r.index = index;
  r.name = std::move(name);
  r.pass = std::move(pass);
  r.module = std::move(module);
  r.inputs = {tensor(in)};
  r.outputs = {tensor(out)};
  return r;
}

// forward conv in enc1, forward head, backward of head, optimizer add.
OpTrace sample() {
  OpTrace t;
  t.producer = "test";
  t.step = 2;
  t.ops = {op(-1, 0, "aten::convolution", "forward", "enc1.conv1", 1, 2),
           op(-1, 1, "aten::convolution", "forward", "head", 2, 3),
           op(-1, 2, "aten::convolution_backward", "backward", "head", 3, 4),
           op(-1, 3, "aten::add_", "optimizer", "head", 4, 5)};
  return t;
}

TEST(OpTrace, WritesAndReadsBack) {
  test::TempDir dir;
  OpTrace t = sample();
  write_op_trace(dir.path() / "ops.jsonl", t);
  OpTrace back = read_op_trace(dir.path() / "ops.jsonl");
  EXPECT_EQ(op_trace_text(back), op_trace_text(t));
  EXPECT_EQ(back.step, 2);
  ASSERT_EQ(back.ops.size(), 4u);
  EXPECT_EQ(back.ops[2].module, "head");
  EXPECT_EQ(back.ops[2].outputs[0], tensor(4));
}

TEST(OpTrace, RejectsATruncatedOrReorderedFile) {
  test::TempDir dir;
  std::string text = op_trace_text(sample());
  write_file_atomic(dir.path() / "cut.jsonl",
                    text.substr(0, text.rfind('\n', text.size() - 2) + 1));
  EXPECT_THROW(read_op_trace(dir.path() / "cut.jsonl"), Error);
  OpTrace t = sample();
  t.ops[1].index = 5;
  write_file_atomic(dir.path() / "gap.jsonl", op_trace_text(t));
  try {
    read_op_trace(dir.path() / "gap.jsonl");
    FAIL() << "accepted an index gap";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected index 1 on lane -1"), std::string::npos)
        << e.what();
  }
}

TEST(FirstDivergentOp, IdenticalTracesHaveNone) {
  OpLocalization l = first_divergent_op(sample(), sample());
  EXPECT_EQ(l.status, "identical");
  EXPECT_EQ(l.ops_compared, 4);
}

TEST(FirstDivergentOp, NamesTheOpWhoseInputsAgreeButOutputsDiffer) {
  OpTrace b = sample();
  b.ops[2].outputs = {tensor(40)};  // head's backward output differs...
  b.ops[3].inputs = {tensor(40)};   // ...and so does everything downstream
  b.ops[3].outputs = {tensor(50)};
  OpLocalization l = first_divergent_op(sample(), b);
  EXPECT_EQ(l.status, "op");
  EXPECT_EQ(l.op, "aten::convolution_backward");
  EXPECT_EQ(l.module, "head");
  EXPECT_EQ(l.pass, "backward");
  EXPECT_EQ(l.index, 2);
  EXPECT_EQ(l.describe(),
            "the first divergent op is aten::convolution_backward in head (backward, step 2): "
            "inputs bit-identical, output 0 float32[2,3] differs");
}

TEST(FirstDivergentOp, InputsThatDifferFromTheStartAreSaidSo) {
  OpTrace b = sample();
  for (auto& o : b.ops) {
    o.inputs = {tensor(100 + static_cast<std::uint64_t>(o.index))};
    o.outputs = {tensor(200 + static_cast<std::uint64_t>(o.index))};
  }
  OpLocalization l = first_divergent_op(sample(), b);
  EXPECT_EQ(l.status, "inputs_differ");
  EXPECT_EQ(l.index, 0);
  EXPECT_NE(l.describe().find("come from outside the traced ops"), std::string::npos);
}

TEST(FirstDivergentOp, DifferentOpSequencesAreReported) {
  OpTrace b = sample();
  b.ops[1].name = "aten::mkldnn_convolution";
  OpLocalization l = first_divergent_op(sample(), b);
  EXPECT_EQ(l.status, "sequence_differs");
  EXPECT_EQ(l.other_op, "aten::mkldnn_convolution");
}

TEST(FirstDivergentOp, EarlierPassWinsAcrossLanes) {
  // Strict mode: shard lanes run forward/backward, lane -1 the optimizer.
  OpTrace a;
  a.ops = {op(-1, 0, "aten::add_", "optimizer", "head", 1, 2),
           op(0, 0, "aten::convolution", "forward", "up2", 3, 4),
           op(1, 0, "aten::convolution", "forward", "up2", 5, 6)};
  OpTrace b = a;
  b.ops[0].outputs = {tensor(20)};
  b.ops[2].outputs = {tensor(60)};
  OpLocalization l = first_divergent_op(a, b);
  EXPECT_EQ(l.pass, "forward");
  EXPECT_EQ(l.lane, 1);
  EXPECT_EQ(l.module, "up2");
}

// libtorch 2.6 runs other ops than 1.13 (here: one more inside the first convolution), so
// the same op has another index in each run; each run's own index is kept.
OpTrace with_an_extra_inner_op() {
  OpTrace t = sample();
  OpRecord inner = op(-1, 0, "aten::empty", "forward", "enc1.conv1", 1, 9);
  inner.depth = 1;
  t.ops.insert(t.ops.begin(), inner);
  for (size_t i = 1; i < t.ops.size(); ++i) {
    t.ops[i].index = static_cast<int>(i);
  }
  return t;
}

TEST(FirstDivergentOp, KeepsEachRunsOwnIndexOfTheOp) {
  OpTrace b = with_an_extra_inner_op();
  b.ops[3].outputs = {tensor(40)};  // head's backward
  OpLocalization l = first_divergent_op(sample(), b);
  ASSERT_EQ(l.status, "op");
  EXPECT_EQ(l.op, "aten::convolution_backward");
  EXPECT_EQ(l.index, 2);
  EXPECT_EQ(l.candidate_index, 3);
}

// Serves canned op traces and op output dumps.
class CannedOps : public OpTraceProvider {
 public:
  std::map<std::string, OpTrace> traces;
  std::map<std::string, OpTrace> rerun_traces;
  std::map<std::string, TensorDump> dumps;
  std::map<std::string, int> dumped_index;  // the op index each cell's dump was asked for
  std::optional<OpTrace> op_trace(const Cell& cell, int, std::string*) override {
    return traces.at(cell.id);
  }
  std::optional<TensorDump> op_outputs(const Cell& cell, int, int, int index, OpTrace* trace,
                                       std::string*) override {
    dumped_index[cell.id] = index;
    *trace = rerun_traces.count(cell.id) ? rerun_traces.at(cell.id) : traces.at(cell.id);
    return dumps.at(cell.id);
  }
};

DumpedTensor floats(const std::vector<float>& values) {
  DumpedTensor t;
  t.name = "output.0";
  t.dtype = "float32";
  t.shape = {static_cast<std::int64_t>(values.size())};
  const auto* p = reinterpret_cast<const std::byte*>(values.data());
  t.bytes.assign(p, p + values.size() * sizeof(float));
  return t;
}

Cell cell_named(const std::string& id) {
  Cell c;
  c.id = id;
  return c;
}

// The op traces of cells "a" and "b", whose dumped op outputs are 1 ULP apart.
CannedOps one_ulp_apart(OpTrace a, OpTrace b) {
  CannedOps ops;
  ops.traces["a"] = std::move(a);
  ops.traces["b"] = std::move(b);
  ops.dumps["a"].tensors = {floats({1.0f, 2.0f})};
  ops.dumps["b"].tensors = {floats({1.0f, 2.0000002f})};
  return ops;
}

TEST(Localize, MeasuresTheOpOutputFromReproducingReruns) {
  const Cell a = cell_named("a");
  const Cell b = cell_named("b");
  OpTrace changed = sample();
  changed.ops[1].outputs = {tensor(30)};
  CannedOps ops = one_ulp_apart(sample(), changed);
  OpLocalization l = localize(ops, a, b, 2);
  ASSERT_EQ(l.status, "op");
  EXPECT_EQ(l.module, "head");
  ASSERT_TRUE(l.max_ulp);
  EXPECT_EQ(*l.max_ulp, 1u);
  EXPECT_NE(l.describe().find("1 ULP"), std::string::npos) << l.describe();

  // A re-run whose op trace differs from the traced one gives no magnitude.
  ops.rerun_traces["b"] = ops.traces["b"];
  ops.rerun_traces["b"].ops[0].outputs = {tensor(99)};
  OpLocalization stale = localize(ops, a, b, 2);
  EXPECT_FALSE(stale.max_ulp);
  EXPECT_NE(stale.magnitude_note.find("did not reproduce"), std::string::npos);
  EXPECT_EQ(stale.describe().find("ULP"), std::string::npos) << stale.describe();
}

TEST(Localize, DumpsTheOpAtEachRunsOwnIndex) {
  OpTrace changed = with_an_extra_inner_op();
  changed.ops[2].outputs = {tensor(30)};  // head's forward convolution
  CannedOps ops = one_ulp_apart(sample(), changed);
  OpLocalization l = localize(ops, cell_named("a"), cell_named("b"), 2);
  ASSERT_EQ(l.status, "op");
  EXPECT_EQ(ops.dumped_index["a"], 1);
  EXPECT_EQ(ops.dumped_index["b"], 2);
  ASSERT_TRUE(l.max_ulp) << l.describe();
  EXPECT_EQ(*l.max_ulp, 1u);
}

}  // namespace
}  // namespace repro
