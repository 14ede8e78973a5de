// Trainer: model construction, fast-mode and strict-mode optimizer steps.
#include "models/trainer.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include "models/data/xoshiro256.hpp"
#include "models/planted_fault_actions.hpp"
#include "models/torch_runtime.hpp"

namespace repro {
namespace {

constexpr std::uint64_t k_dropout_stream = 0xd40fULL;

}  // namespace

UNetOptions unet_options(const ModelConfig& model) {
  UNetOptions options;
  options.variant = model.variant;
  options.width = model.width;
  options.depth = model.depth;
  options.dropout = model.dropout;
  return options;
}

Trainer::Trainer(const WorkerConfig& config, c10::Device device)
    : m_config(config),
      m_fault(parse_planted_fault(config.settings.fault, "config")),
      m_device(device) {
  torch::manual_seed(config.train.seed);
  m_model = UNet(unet_options(config.model));
  m_model->to(device);
  m_model->train();
  m_optimizer = std::make_unique<torch::optim::Adam>(
      m_model->parameters(), torch::optim::AdamOptions(config.train.learning_rate));
  if (config.train.mode == "strict") {
    // Everything outside the shard tasks (combining shards, Adam, evaluation) then also
    // runs on one thread, so no result depends on settings.threads; the BLAS too, as
    // shards call it concurrently and the arena is the only source of parallelism.
    at::set_num_threads(1);
    set_blas_threads(1);
    m_sharded = std::make_unique<ShardedStep>(m_model, config.train.shards, config.settings.threads,
                                              config.train.seed);
    m_sharded->plant_fault(m_fault);
  }
}

at::Tensor Trainer::step(const Batch& batch, int step_index) {
  Batch on_device{batch.ids, batch.images.to(m_device), batch.labels.to(m_device)};
  m_optimizer->zero_grad();
  at::Tensor loss;
  if (m_sharded) {
    loss = m_sharded->run(m_model, on_device, step_index);
  } else {
    const std::uint64_t seed = m_fault.acts_at("unseeded-dropout", step_index)
                                   ? entropy_seed()
                                   : derive_seed({m_config.train.seed, k_dropout_stream,
                                                  static_cast<std::uint64_t>(step_index)});
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto logits = m_model->forward(on_device.images, generator);
    loss = torch::nn::functional::cross_entropy(logits, on_device.labels);
    loss.backward();
    loss = loss.detach();
  }
  m_optimizer->step();
  return loss.cpu();
}

}  // namespace repro
