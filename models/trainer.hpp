// Trainer: the U-Net, Adam and one optimizer step in fast or strict mode.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <torch/optim/adam.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "harness/trace/worker_config.hpp"
#include "models/grad_order_recorder.hpp"
#include "models/op_tracer.hpp"
#include "models/pet_batches.hpp"
#include "models/planted_fault.hpp"
#include "models/sharded_step.hpp"
#include "models/unet.hpp"

namespace repro {

// The U-Net options of a worker configuration.
UNetOptions unet_options(const ModelConfig& model);

class Trainer {
 public:
  // Seeds libtorch's default generator with train.seed (parameter initialisation),
  // builds the model on `device` and Adam (learning rate from the config). In strict
  // mode libtorch and the BLAS run at one thread from here on, and settings.threads
  // becomes the size of the shard arena (see sharded_step.hpp).
  Trainer(const WorkerConfig& config, c10::Device device);

  // One optimizer step on `batch`: forward, cross-entropy over the 3 classes, backward
  // and Adam. Afterwards the parameters' .grad hold this step's gradients (cleared at
  // the start of the next step). Returns the loss (0-dim float32, detached).
  // Fast mode: libtorch's own threading, dropout from a generator seeded from
  // (seed, step). Strict mode: ShardedStep. Planted faults acting here (docs/canaries.md):
  // "unseeded-dropout" (fast mode) and "random-order-reduction" (strict mode).
  at::Tensor step(const Batch& batch, int step_index);

  // Parameter indices (model()->parameters() order) in the order the last step's
  // backward produced their gradients (strict mode: as shard 0's backward did).
  std::vector<std::size_t> grad_order() const { return m_grad_order->order(); }

  // Names every parameter, buffer, gradient and Adam state (of the model and, in strict
  // mode, of each shard replica) for the op tracer's module attribution.
  void name_tensors(OpTracer& tracer);

  UNet& model() { return m_model; }
  torch::optim::Adam& optimizer() { return *m_optimizer; }
  c10::Device device() const { return m_device; }

 private:
  WorkerConfig m_config;
  PlantedFault m_fault;  // test only (settings.fault)
  c10::Device m_device;
  UNet m_model{nullptr};
  std::unique_ptr<torch::optim::Adam> m_optimizer;
  std::unique_ptr<ShardedStep> m_sharded;  // strict mode only
  std::unique_ptr<GradOrderRecorder> m_grad_order;
};

}  // namespace repro
