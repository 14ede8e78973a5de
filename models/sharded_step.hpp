// ShardedStep: strict mode's thread-count-independent forward/backward over fixed shards.
//
// The batch is split into exactly `shards` equal shards (a property of the workload,
// never of the machine). Each shard runs forward and backward on its own replica of the
// model, with libtorch at one thread, as a task of a oneTBB arena of `threads` threads,
// and draws dropout from its own generator seeded from (seed, step, shard). Gradients,
// losses and BatchNorm running statistics are then combined in shard order 0, 1, ...
// and divided by the shard count. No arithmetic depends on which thread ran what, so
// results are bit-identical for any `threads`.
//
// BatchNorm normalizes each shard with that shard's own statistics ("ghost batch
// norm"); the master's running statistics are the mean of the replicas' updated ones.
#pragma once

#include <ATen/core/Tensor.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <vector>

#include "models/pet_batches.hpp"
#include "models/planted_fault.hpp"
#include "models/unet.hpp"

namespace repro {

class ShardedStep {
 public:
  // `shards` must divide every batch's size. Builds one replica of `master` per shard.
  ShardedStep(const UNet& master, int shards, int threads, std::uint64_t seed);

  // Forward and backward of `batch` (on `master`'s device): sets every master
  // parameter's .grad to the mean of the shard gradients and the master's BatchNorm
  // running statistics to the mean of the replicas'; returns the mean of the shard
  // losses (0-dim float32). The optimizer step is the caller's.
  at::Tensor run(UNet& master, const Batch& batch, int step);

  // The replica that runs shard `shard` (< shards).
  UNet& replica(size_t shard) { return m_replicas.at(shard); }
  // Test-only: with "random-order-reduction" the shard gradients are summed in a random
  // order at the steps the fault acts (docs/canaries.md).
  void plant_fault(const PlantedFault& fault) { m_fault = fault; }

 private:
  at::Tensor run_shard(size_t shard, const UNet& master, const Batch& batch, int step);

  int m_shards;
  std::uint64_t m_seed;
  PlantedFault m_fault;
  tbb::task_arena m_arena;
  std::vector<UNet> m_replicas;
};

}  // namespace repro
