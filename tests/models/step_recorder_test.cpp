// Step records: digests of libtorch tensors, causal order, dumps agreeing with digests.
#include "models/step_recorder.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cstring>

#include "harness/util/error.hpp"
#include "models/data/synthetic_pets.hpp"
#include "models/pet_batches.hpp"
#include "models/trainer.hpp"

namespace repro {
namespace {

TEST(StepRecorder, DigestIsTheHarnessDigestOfTheRawBytes) {
  const auto t = at::arange(6, at::kFloat).reshape({2, 3});
  const float values[] = {0, 1, 2, 3, 4, 5};
  const std::int64_t shape[] = {2, 3};
  EXPECT_EQ(digest_of(t), digest_tensor("float32", shape, std::as_bytes(std::span(values))));
}

TEST(StepRecorder, NonContiguousTensorDigestsLikeItsContiguousCopy) {
  const auto t = at::arange(12, at::kLong).reshape({3, 4});
  EXPECT_EQ(digest_of(t.t()), digest_of(t.t().contiguous()));
  EXPECT_NE(digest_of(t.t()), digest_of(t));
}

TEST(StepRecorder, DtypeNames) {
  EXPECT_EQ(trace_dtype(at::zeros({1}, at::kFloat)), "float32");
  EXPECT_EQ(trace_dtype(at::zeros({1}, at::kDouble)), "float64");
  EXPECT_EQ(trace_dtype(at::zeros({1}, at::kLong)), "int64");
  EXPECT_EQ(trace_dtype(at::zeros({1}, at::kInt)), "int32");
  EXPECT_EQ(trace_dtype(at::zeros({1}, at::kByte)), "uint8");
  EXPECT_EQ(trace_dtype(at::zeros({1}, at::kChar)), "int8");
  EXPECT_EQ(trace_dtype(at::zeros({1}, at::kBool)), "bool");
  EXPECT_THROW(trace_dtype(at::zeros({1}, at::kHalf)), Error);
}

class RecordedStep : public ::testing::Test {
 protected:
  void SetUp() override {
    config.model.width = 4;
    config.model.depth = 2;
    config.data.image_size = 16;
    config.train.batch_size = 2;
    train = generate_synthetic_pets(/*count=*/4, /*image_size=*/16, /*seed=*/1);
    trainer = std::make_unique<Trainer>(config, c10::Device(c10::kCPU));
    TrainBatches batches(train, config.train.batch_size, config.train.seed, true);
    batch = batches.next();
    loss = trainer->step(batch, /*step_index=*/0);
    tensors =
        step_tensors(batch, loss, trainer->model(), trainer->optimizer(), trainer->grad_order());
  }

  WorkerConfig config;
  std::vector<PetSample> train;
  std::unique_ptr<Trainer> trainer;
  Batch batch;
  at::Tensor loss;
  std::vector<NamedTensor> tensors;
};

TEST_F(RecordedStep, TensorsComeInCausalOrder) {
  ASSERT_GE(tensors.size(), 4u);
  EXPECT_EQ(tensors[0].name, "batch.images");
  EXPECT_EQ(tensors[1].name, "batch.labels");
  for (size_t i = 1; i < tensors.size(); ++i) {
    EXPECT_LE(static_cast<int>(tensors[i - 1].kind), static_cast<int>(tensors[i].kind))
        << tensors[i - 1].name << " before " << tensors[i].name;
  }
  const size_t params = trainer->model()->parameters().size();
  auto count = [&](TensorKind kind) {
    return static_cast<size_t>(std::count_if(tensors.begin(), tensors.end(),
                                             [&](const NamedTensor& t) { return t.kind == kind; }));
  };
  EXPECT_EQ(count(TensorKind::param), params);
  EXPECT_EQ(count(TensorKind::grad), params);
  EXPECT_EQ(count(TensorKind::optimizer), 2 * params);
  EXPECT_EQ(count(TensorKind::buffer), trainer->model()->buffers().size());
  auto find = [&](const std::string& name) {
    return std::find_if(tensors.begin(), tensors.end(),
                        [&](const NamedTensor& t) { return t.name == name; });
  };
  EXPECT_NE(find("enc1.conv1.weight.grad"), tensors.end());
  EXPECT_NE(find("enc1.conv1.weight.exp_avg_sq"), tensors.end());
  EXPECT_NE(find("enc1.bn1.num_batches_tracked"), tensors.end());
}

TEST_F(RecordedStep, GradientsFollowTheOrderBackwardProducedThem) {
  // Backward reaches the head first and the first encoder convolution last: the
  // recorded order says so, and the step record lists the gradients in that order.
  const std::vector<std::size_t> order = trainer->grad_order();
  const auto named = trainer->model()->named_parameters();
  ASSERT_EQ(order.size(), named.size());
  EXPECT_EQ(named[order.front()].key().rfind("head.", 0), 0u) << named[order.front()].key();
  EXPECT_EQ(named[order.back()].key(), "enc1.conv1.weight");
  std::vector<std::string> grads;
  for (const auto& t : tensors) {
    if (t.kind == TensorKind::grad) {
      grads.push_back(t.name);
    }
  }
  ASSERT_EQ(grads.size(), order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(grads[i], named[order[i]].key() + ".grad");
  }
}

TEST_F(RecordedStep, GradOrderIsObservedNotAssumed) {
  // An order given explicitly is followed, whatever the registration order is.
  const auto named = trainer->model()->named_parameters();
  std::vector<std::size_t> order = {named.size() - 1, 0};
  const auto listed = step_tensors(batch, loss, trainer->model(), trainer->optimizer(), order);
  std::vector<std::string> grads;
  for (const auto& t : listed) {
    if (t.kind == TensorKind::grad) {
      grads.push_back(t.name);
    }
  }
  ASSERT_EQ(grads.size(), named.size());
  EXPECT_EQ(grads[0], named[named.size() - 1].key() + ".grad");
  EXPECT_EQ(grads[1], named[0].key() + ".grad");
  EXPECT_EQ(grads[2], named[1].key() + ".grad");
}

TEST_F(RecordedStep, RecordHoldsLossBitsAndAValidRoot) {
  const StepRecord record = make_step_record(0, batch, loss, tensors);
  const float value = loss.item<float>();
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", bits);
  EXPECT_EQ(record.loss_bits, hex);
  EXPECT_EQ(record.loss_value, static_cast<double>(value));
  EXPECT_EQ(record.batch_ids, batch.ids);
  EXPECT_EQ(record.root, compute_root(record));
  EXPECT_EQ(record.tensors.size(), tensors.size());
}

TEST_F(RecordedStep, DumpMatchesTheRecordDigests) {
  const StepRecord record = make_step_record(0, batch, loss, tensors);
  const TensorDump dump = make_tensor_dump(0, tensors);
  ASSERT_EQ(dump.tensors.size(), record.tensors.size());
  for (size_t i = 0; i < dump.tensors.size(); ++i) {
    const auto& t = dump.tensors[i];
    EXPECT_EQ(t.name, record.tensors[i].name);
    EXPECT_EQ(t.kind, record.tensors[i].kind);
    EXPECT_EQ(digest_tensor(t.dtype, t.shape, t.bytes), record.tensors[i].digest) << t.name;
  }
}

}  // namespace
}  // namespace repro
