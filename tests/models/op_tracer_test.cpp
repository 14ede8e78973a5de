// OpTracer: deterministic op traces with modules and passes; planted op-ulp faults localized.
#include "models/op_tracer.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "harness/util/error.hpp"
#include "harness/verdict/op_localization.hpp"
#include "models/data/synthetic_pets.hpp"
#include "models/pet_batches.hpp"
#include "models/trainer.hpp"

namespace repro {
namespace {

WorkerConfig tiny_config() {
  WorkerConfig config;
  config.model.width = 4;
  config.model.depth = 2;
  config.data.image_size = 16;
  config.train.batch_size = 2;
  return config;
}

// Trains `steps` steps and op-traces the last one, with `fault` planted.
OpTrace traced_run(const std::string& fault, int steps = 2) {
  WorkerConfig config = tiny_config();
  config.settings.fault = fault;
  const auto train = generate_synthetic_pets(/*count=*/4, /*image_size=*/16, /*seed=*/1);
  Trainer trainer(config, c10::Device(c10::kCPU));
  TrainBatches batches(train, config.train.batch_size, config.train.seed, true);
  OpTracer tracer(steps - 1, parse_planted_fault(fault, "test"), std::nullopt, "test");
  std::optional<OpTrace> trace;
  for (int step = 0; step < steps; ++step) {
    const Batch batch = batches.next();
    trainer.name_tensors(tracer);
    tracer.begin_step(step);
    trainer.step(batch, step);
    if (auto t = tracer.end_step()) {
      trace = std::move(t);
    }
  }
  EXPECT_TRUE(trace.has_value());
  return trace.value_or(OpTrace{});
}

const OpRecord* find_op(const OpTrace& trace, const std::string& name, const std::string& pass) {
  for (const auto& op : trace.ops) {
    if (op.name == name && op.pass == pass) {
      return &op;
    }
  }
  return nullptr;
}

TEST(OpTracer, TracesEveryPassWithModules) {
  const OpTrace trace = traced_run("none");
  EXPECT_EQ(trace.step, 1);
  ASSERT_GT(trace.ops.size(), 100u);
  const OpRecord* conv = find_op(trace, "aten::convolution", "forward");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->module, "enc1.conv1");
  EXPECT_FALSE(conv->inputs.empty());
  EXPECT_TRUE(conv->outputs.at(0).has_digest);
  const OpRecord* up = nullptr;
  for (const auto& op : trace.ops) {
    if (op.name == "aten::convolution" && op.module == "up2") {
      up = &op;
    }
  }
  EXPECT_NE(up, nullptr) << "the transposed convolution up2 is attributed";
  const OpRecord* back = find_op(trace, "aten::convolution_backward", "backward");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->module, "head") << "backward reaches the head first";
  const OpRecord* adam = find_op(trace, "aten::addcdiv_", "optimizer");
  ASSERT_NE(adam, nullptr);
  EXPECT_EQ(adam->module, "enc1.conv1");
  for (size_t i = 1; i < trace.ops.size(); ++i) {
    EXPECT_EQ(trace.ops[i].index, trace.ops[i - 1].index + 1);
  }
}

TEST(OpTracer, IdenticalRunsGiveIdenticalOpTraces) {
  EXPECT_EQ(op_trace_text(traced_run("none")), op_trace_text(traced_run("none")));
}

struct PlantedCase {
  std::string fault;
  std::string op;
  std::string pass;
  std::string module;
};

class PlantedOpUlp : public ::testing::TestWithParam<PlantedCase> {};

TEST_P(PlantedOpUlp, IsLocalizedToThatOpModuleAndStep) {
  const PlantedCase& c = GetParam();
  const OpTrace clean = traced_run("none");
  const OpTrace planted = traced_run(c.fault);
  OpLocalization l = first_divergent_op(clean, planted);
  EXPECT_EQ(l.status, "op") << l.describe();
  EXPECT_EQ(l.op, c.op) << l.describe();
  EXPECT_EQ(l.pass, c.pass) << l.describe();
  EXPECT_EQ(l.module, c.module) << l.describe();
  EXPECT_EQ(l.step, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Passes, PlantedOpUlp,
    ::testing::Values(PlantedCase{"op-ulp:forward:aten::convolution@1", "aten::convolution",
                                  "forward", "enc1.conv1"},
                      PlantedCase{"op-ulp:backward:aten::convolution_backward@1",
                                  "aten::convolution_backward", "backward", "head"},
                      PlantedCase{"op-ulp:optimizer:aten::addcdiv_@1", "aten::addcdiv_",
                                  "optimizer", "enc1.conv1"}));

TEST(OpTracer, PlantedFaultAtAnotherStepLeavesTheTracedStepAlone) {
  // Planted at step 1 of a 3-step run whose step 2 is traced: no op of step 2 is to
  // blame. Either the ULP was absorbed by the optimizer's rounding (identical) or step 2
  // starts from different parameters (inputs differ); never "op".
  const OpLocalization l = first_divergent_op(traced_run("none", 3),
                                              traced_run("op-ulp:forward:aten::convolution@1", 3));
  EXPECT_TRUE(l.status == "identical" || l.status == "inputs_differ") << l.describe();
}

TEST(OpTracer, RejectsAnUnknownPass) {
  EXPECT_THROW(OpTracer(std::nullopt, parse_planted_fault("op-ulp:sideways:aten::add", "t"),
                        std::nullopt, "test"),
               Error);
  EXPECT_THROW(parse_planted_fault("op-ulp", "t"), Error);
}

TEST(OpTracer, DumpRequestParses) {
  OpDumpRequest r = parse_op_dump_request("-1:345", "", "--op-dump");
  EXPECT_EQ(r.lane, -1);
  EXPECT_EQ(r.index, 345);
  EXPECT_THROW(parse_op_dump_request("345", "", "--op-dump"), Error);
  EXPECT_THROW(parse_op_dump_request("-2:1", "", "--op-dump"), Error);
}

}  // namespace
}  // namespace repro
