// Strict mode: shards as TBB tasks on model replicas, combined in a fixed order.
#include "models/sharded_step.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include "models/data/xoshiro256.hpp"
#include "models/op_pass.hpp"
#include "models/planted_fault_actions.hpp"

namespace repro {
namespace {

constexpr std::uint64_t k_dropout_stream = 0xd40fULL;

// Sum in index order, then divide: the same bits whatever thread produced each term.
at::Tensor ordered_mean(const std::vector<at::Tensor>& terms) {
  at::Tensor sum = terms[0].clone();
  for (size_t i = 1; i < terms.size(); ++i) {
    sum.add_(terms[i]);
  }
  return sum.div_(static_cast<double>(terms.size()));
}

}  // namespace

ShardedStep::ShardedStep(const UNet& master, int shards, int threads, std::uint64_t seed)
    : m_shards(shards), m_seed(seed), m_arena(threads) {
  for (int k = 0; k < shards; ++k) {
    UNet replica(master->options());
    replica->to(master->parameters().front().device());
    m_replicas.push_back(replica);
  }
}

at::Tensor ShardedStep::run_shard(size_t shard, const UNet& master, const Batch& batch, int step) {
  // This thread may be a TBB worker: its OpenMP team size is its own to set, and one
  // thread per shard is what makes the shard's arithmetic independent of the machine.
  if (at::get_num_threads() != 1) {
    at::set_num_threads(1);
  }
  UNet& replica = m_replicas[shard];
  {
    torch::NoGradGuard no_grad;
    auto from = master->parameters();
    auto to = replica->parameters();
    for (size_t i = 0; i < from.size(); ++i) {
      to[i].copy_(from[i]);
      to[i].mutable_grad() = at::Tensor();
    }
    auto from_buffers = master->buffers();
    auto to_buffers = replica->buffers();
    for (size_t i = 0; i < from_buffers.size(); ++i) {
      to_buffers[i].copy_(from_buffers[i]);
    }
  }
  replica->train(master->is_training());
  const int64_t size = batch.images.size(0) / m_shards;
  const int64_t begin = static_cast<int64_t>(shard) * size;
  auto images = batch.images.narrow(0, begin, size);
  auto labels = batch.labels.narrow(0, begin, size);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(
      derive_seed({m_seed, k_dropout_stream, static_cast<std::uint64_t>(step),
                   static_cast<std::uint64_t>(shard)}));
  OpLaneScope lane(static_cast<int>(shard));
  at::Tensor loss;
  {
    OpPassScope pass(OpPass::forward);
    auto logits = replica->forward(images, generator);
    loss = torch::nn::functional::cross_entropy(logits, labels);
  }
  {
    OpPassScope pass(OpPass::backward);
    loss.backward();
  }
  return loss.detach();
}

at::Tensor ShardedStep::run(UNet& master, const Batch& batch, int step) {
  TORCH_CHECK(batch.images.size(0) % m_shards == 0, "batch of ", batch.images.size(0),
              " does not split into ", m_shards, " shards");
  std::vector<at::Tensor> losses(static_cast<size_t>(m_shards));
  m_arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, losses.size(), /*grainsize=*/1),
        [&](const tbb::blocked_range<size_t>& range) {
          for (size_t k = range.begin(); k != range.end(); ++k) {
            losses[k] = run_shard(k, master, batch, step);
          }
        },
        tbb::simple_partitioner());
  });

  torch::NoGradGuard no_grad;
  OpPassScope pass(OpPass::combine);
  std::vector<std::vector<at::Tensor>> replica_params;
  std::vector<std::vector<at::Tensor>> replica_buffers;
  for (auto& replica : m_replicas) {
    replica_params.push_back(replica->parameters());
    replica_buffers.push_back(replica->buffers());
  }
  auto params = master->parameters();
  const bool random_order = m_fault.acts_at("random-order-reduction", step);
  Xoshiro256 order_rng(random_order ? entropy_seed() : 0);
  for (size_t i = 0; i < params.size(); ++i) {
    std::vector<at::Tensor> grads;
    for (const auto& replica : replica_params) {
      grads.push_back(replica[i].grad());
    }
    if (random_order) {  // planted fault: the order-dependent reduction a canary must catch
      for (size_t k = grads.size(); k > 1; --k) {
        std::swap(grads[k - 1], grads[static_cast<size_t>(order_rng.below(k))]);
      }
    }
    params[i].mutable_grad() = ordered_mean(grads);
  }
  auto buffers = master->buffers();
  for (size_t i = 0; i < buffers.size(); ++i) {
    std::vector<at::Tensor> values;
    for (const auto& replica : replica_buffers) {
      values.push_back(replica[i]);
    }
    if (at::isFloatingType(buffers[i].scalar_type())) {
      buffers[i].copy_(ordered_mean(values));
    } else {
      buffers[i].copy_(values[0]);  // num_batches_tracked: the same count in every replica
    }
  }
  return ordered_mean(losses);
}

}  // namespace repro
