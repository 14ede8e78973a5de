// Pet samples to tensors; epoch permutations and flips from the training seed.
#include "models/pet_batches.hpp"

#include <ATen/ATen.h>

#include <cassert>
#include <numeric>

#include "models/planted_fault_actions.hpp"

namespace repro {
namespace {

constexpr std::uint64_t k_data_stream = 0xda7aULL;

at::Tensor image_tensor(const PetSample& sample) {
  const auto& image = sample.image;
  // from_blob wraps the sample's bytes without copying; the conversion to float copies.
  auto hwc = at::from_blob(const_cast<std::uint8_t*>(image.pixels.data()),
                           {image.height, image.width, 3}, at::kByte);
  return hwc.permute({2, 0, 1}).to(at::kFloat).div_(255.0f);
}

at::Tensor label_tensor(const PetSample& sample) {
  const auto& trimap = sample.trimap;
  auto hw = at::from_blob(const_cast<std::uint8_t*>(trimap.pixels.data()),
                          {trimap.height, trimap.width}, at::kByte);
  return hw.to(at::kLong).sub_(1);
}

}  // namespace

Batch make_batch(const std::vector<const PetSample*>& samples) {
  Batch batch;
  std::vector<at::Tensor> images;
  std::vector<at::Tensor> labels;
  for (const PetSample* sample : samples) {
    batch.ids.push_back(sample->id);
    images.push_back(image_tensor(*sample));
    labels.push_back(label_tensor(*sample));
  }
  batch.images = at::stack(images);
  batch.labels = at::stack(labels);
  return batch;
}

TrainBatches::TrainBatches(const std::vector<PetSample>& train, int batch_size, std::uint64_t seed,
                           bool augment_flip, const PlantedFault& fault)
    : m_train(train),
      m_batch_size(batch_size),
      m_augment_flip(augment_flip),
      m_rng(derive_seed({seed, k_data_stream})) {
  assert(!train.empty());
  if (fault.kind == "unseeded-shuffle") {
    m_fault_rng = Xoshiro256(entropy_seed());
    m_order_rng = &m_fault_rng;
  } else if (fault.kind == "time-seeded-augment") {
    m_fault_rng = Xoshiro256(time_seed_then_wait_for_next_second());
    m_flip_rng = &m_fault_rng;
  }
  std::vector<const PetSample*> all;
  for (const auto& sample : train) {
    all.push_back(&sample);
  }
  Batch whole = make_batch(all);
  m_images = whole.images;
  m_labels = whole.labels;
  m_order.resize(train.size());
  start_epoch();
}

void TrainBatches::start_epoch() {
  std::iota(m_order.begin(), m_order.end(), size_t{0});
  for (size_t i = m_order.size(); i > 1; --i) {
    std::swap(m_order[i - 1], m_order[static_cast<size_t>(m_order_rng->below(i))]);
  }
  m_position = 0;
}

Batch TrainBatches::next() {
  Batch batch;
  std::vector<at::Tensor> images;
  std::vector<at::Tensor> labels;
  for (int i = 0; i < m_batch_size; ++i) {
    if (m_position == m_order.size()) {
      start_epoch();
    }
    const size_t index = m_order[m_position++];
    batch.ids.push_back(m_train[index].id);
    at::Tensor image = m_images[static_cast<int64_t>(index)];
    at::Tensor label = m_labels[static_cast<int64_t>(index)];
    if (m_augment_flip && m_flip_rng->below(2) == 1) {
      image = image.flip({2});  // horizontal: the width axis of [3, S, S]
      label = label.flip({1});
    }
    images.push_back(image);
    labels.push_back(label);
  }
  batch.images = at::stack(images);
  batch.labels = at::stack(labels);
  return batch;
}

}  // namespace repro
