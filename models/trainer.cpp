// Trainer: model construction, fast-mode and strict-mode optimizer steps.
#include "models/trainer.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/util/string_utils.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <limits>

#include "models/data/xoshiro256.hpp"
#include "models/op_pass.hpp"
#include "models/planted_fault_actions.hpp"
#include "models/torch_compat.hpp"
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
  // Strict mode: every shard's backward has the same graph; shard 0's hooks tell the order.
  m_grad_order = std::make_unique<GradOrderRecorder>(m_sharded ? m_sharded->replica(0)->parameters()
                                                               : m_model->parameters());
}

void Trainer::name_tensors(OpTracer& tracer) {
  std::vector<UNet*> models = {&m_model};
  if (m_sharded) {
    for (size_t k = 0; k < static_cast<size_t>(m_config.train.shards); ++k) {
      models.push_back(&m_sharded->replica(k));
    }
  }
  for (UNet* model : models) {
    for (const auto& item : (*model)->named_parameters()) {
      tracer.name_tensor(item.value(), item.key());
      tracer.name_tensor(item.value().grad(), item.key() + ".grad");
    }
    for (const auto& item : (*model)->named_buffers()) {
      tracer.name_tensor(item.value(), item.key());
    }
  }
  auto& state = m_optimizer->state();
  for (const auto& item : m_model->named_parameters()) {
    auto found = state.find(optimizer_state_key(item.value()));
    if (found != state.end()) {
      auto& adam = static_cast<torch::optim::AdamParamState&>(*found->second);
      tracer.name_tensor(adam.exp_avg(), item.key() + ".exp_avg");
      tracer.name_tensor(adam.exp_avg_sq(), item.key() + ".exp_avg_sq");
    }
  }
}

at::Tensor Trainer::step(const Batch& batch, int step_index) {
  Batch on_device{batch.ids, batch.images.to(m_device), batch.labels.to(m_device)};
  m_optimizer->zero_grad();
  m_grad_order->reset();
  at::Tensor loss;
  if (m_sharded) {
    loss = m_sharded->run(m_model, on_device, step_index);
  } else {
    const std::uint64_t seed = m_fault.acts_at("unseeded-dropout", step_index)
                                   ? entropy_seed()
                                   : derive_seed({m_config.train.seed, k_dropout_stream,
                                                  static_cast<std::uint64_t>(step_index)});
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    {
      OpPassScope pass(OpPass::forward);
      auto logits = m_model->forward(on_device.images, generator);
      loss = torch::nn::functional::cross_entropy(logits, on_device.labels);
    }
    {
      OpPassScope pass(OpPass::backward);
      loss.backward();
    }
    loss = loss.detach();
  }
  if (m_fault.acts_at("nan-loss", step_index)) {
    // Test only: as if the loss had overflowed. Adam then writes NaN into every parameter.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    loss = at::full_like(loss, nan);
    for (auto& param : m_model->parameters()) {
      if (param.grad().defined()) {
        param.mutable_grad().fill_(nan);
      }
    }
  }
  {
    OpPassScope pass(OpPass::optimizer);
    m_optimizer->step();
  }
  return loss.cpu();
}

}  // namespace repro
