// Step records: every tensor of a training step, named and digested in causal order.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/optim/adam.h>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "models/pet_batches.hpp"
#include "models/unet.hpp"

namespace repro {

struct NamedTensor {
  std::string name;  // "enc1.conv1.weight.grad"
  TensorKind kind = TensorKind::param;
  at::Tensor tensor;
};

// The tensors of a finished step in docs/trace-format.md (version 2) causal order:
// batch.images, batch.labels; buffers (BatchNorm running statistics,
// num_batches_tracked) in forward order; loss; <param>.grad in the order backward
// produced them (`grad_order`: indices into model->named_parameters(), as recorded by
// GradOrderRecorder; gradients it does not list follow in registration order); params
// and then <param>.exp_avg, <param>.exp_avg_sq in the order Adam updates them
// (registration order). A parameter without gradient or Adam state contributes no
// entry of that kind. The tensors are views: record before the next step.
std::vector<NamedTensor> step_tensors(const Batch& batch, const at::Tensor& loss, UNet& model,
                                      torch::optim::Adam& optimizer,
                                      std::span<const std::size_t> grad_order);

// The trace dtype name of a tensor ("float32", "int64", ...). Throws repro::Error for a
// dtype the trace format does not name.
std::string trace_dtype(const at::Tensor& tensor);

// Digest of a tensor's dtype, shape and contiguous bytes (copied only when the tensor
// is not already a contiguous CPU tensor).
Digest digest_of(const at::Tensor& tensor);

// The step record: loss bits and value, batch ids, each tensor's digest, and the root.
// `loss` must be a 0-dim float32 tensor.
StepRecord make_step_record(int step, const Batch& batch, const at::Tensor& loss,
                            const std::vector<NamedTensor>& tensors);

// The raw values of every tensor, same names, kinds and order as the step record.
TensorDump make_tensor_dump(int step, const std::vector<NamedTensor>& tensors);

}  // namespace repro
