// Pet samples as tensors, and the seeded stream of training batches.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/data/pet_sample.hpp"
#include "models/data/xoshiro256.hpp"
#include "models/planted_fault.hpp"

namespace repro {

struct Batch {
  std::vector<std::string> ids;  // in batch order
  at::Tensor images;             // [B, 3, S, S] float32, pixel / 255, after augmentation
  at::Tensor labels;             // [B, S, S] int64, trimap - 1: 0 pet, 1 background, 2 border
};

// Stacks samples (all the same size) into a batch, unaugmented, on the CPU.
Batch make_batch(const std::vector<const PetSample*>& samples);

// The training batches: sample order is a fresh Fisher-Yates permutation of the train
// split (in id order) per epoch, batches run across epoch ends, and with augmentation
// each sample is flipped horizontally with probability 1/2. Every draw comes from one
// Xoshiro256 seeded from the training seed, so the stream depends on nothing else.
// Test-only planted faults (docs/canaries.md) break that on purpose: "unseeded-shuffle"
// draws the epoch order, "time-seeded-augment" the flips, from a generator of their own.
class TrainBatches {
 public:
  // `train` must be non-empty and outlive this object.
  TrainBatches(const std::vector<PetSample>& train, int batch_size, std::uint64_t seed,
               bool augment_flip, const PlantedFault& fault = {});

  TrainBatches(const TrainBatches&) = delete;  // holds pointers to its own generators
  TrainBatches& operator=(const TrainBatches&) = delete;

  // The next batch of `batch_size` samples (on the CPU).
  Batch next();

 private:
  void start_epoch();

  const std::vector<PetSample>& m_train;
  int m_batch_size;
  bool m_augment_flip;
  Xoshiro256 m_rng;
  Xoshiro256 m_fault_rng{0};  // seeded by a planted fault; unused otherwise
  Xoshiro256* m_order_rng = &m_rng;
  Xoshiro256* m_flip_rng = &m_rng;
  at::Tensor m_images;  // the whole split, [N, 3, S, S]
  at::Tensor m_labels;  // [N, S, S]
  std::vector<size_t> m_order;
  size_t m_position = 0;
};

}  // namespace repro
