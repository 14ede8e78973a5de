// Step records: naming, ordering and digesting the tensors of a step.
#include "models/step_recorder.hpp"

#include <ATen/ATen.h>

#include <bit>
#include <cassert>
#include <cstdio>
#include <cstring>

#include "harness/util/error.hpp"
#include "models/torch_compat.hpp"

namespace repro {
namespace {

// A contiguous CPU tensor with the same values (the tensor itself when it already is one).
at::Tensor contiguous_cpu(const at::Tensor& tensor) {
  at::Tensor t = tensor.device().is_cpu() ? tensor : tensor.cpu();
  return t.is_contiguous() ? t : t.contiguous();
}

bool has_non_finite(const at::Tensor& tensor) {
  return tensor.is_floating_point() && !at::isfinite(tensor).all().item<bool>();
}

std::span<const std::byte> bytes_of(const at::Tensor& contiguous) {
  return {static_cast<const std::byte*>(contiguous.data_ptr()), contiguous.nbytes()};
}

}  // namespace

std::string trace_dtype(const at::Tensor& tensor) {
  switch (tensor.scalar_type()) {
    case at::kFloat:
      return "float32";
    case at::kDouble:
      return "float64";
    case at::kLong:
      return "int64";
    case at::kInt:
      return "int32";
    case at::kByte:
      return "uint8";
    case at::kChar:
      return "int8";
    case at::kBool:
      return "bool";
    default:
      throw Error("", "",
                  std::string("tensor dtype ") + c10::toString(tensor.scalar_type()) +
                      " has no name in the trace format");
  }
}

Digest digest_of(const at::Tensor& tensor) {
  const at::Tensor t = contiguous_cpu(tensor);
  const auto sizes = t.sizes();
  return digest_tensor(trace_dtype(t), std::span<const std::int64_t>(sizes.data(), sizes.size()),
                       bytes_of(t));
}

std::vector<NamedTensor> step_tensors(const Batch& batch, const at::Tensor& loss, UNet& model,
                                      torch::optim::Adam& optimizer,
                                      std::span<const std::size_t> grad_order) {
  std::vector<NamedTensor> out;
  out.push_back({"batch.images", TensorKind::batch, batch.images});
  out.push_back({"batch.labels", TensorKind::batch, batch.labels});
  for (const auto& item : model->named_buffers()) {
    out.push_back({item.key(), TensorKind::buffer, item.value()});
  }
  out.push_back({"loss", TensorKind::loss, loss});
  const auto params = model->named_parameters();
  std::vector<std::size_t> order;
  std::vector<bool> listed(params.size(), false);
  for (std::size_t index : grad_order) {
    if (index < params.size() && !listed[index]) {
      listed[index] = true;
      order.push_back(index);
    }
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!listed[i]) {
      order.push_back(i);
    }
  }
  for (std::size_t index : order) {
    const auto& item = params[index];
    if (item.value().grad().defined()) {
      out.push_back({item.key() + ".grad", TensorKind::grad, item.value().grad()});
    }
  }
  for (const auto& item : params) {
    out.push_back({item.key(), TensorKind::param, item.value()});
  }
  // torch::optim::Adam keys its per-parameter state by the parameter's TensorImpl address.
  auto& state = optimizer.state();
  for (const auto& item : params) {
    auto found = state.find(optimizer_state_key(item.value()));
    if (found == state.end()) {
      continue;
    }
    auto& adam = static_cast<torch::optim::AdamParamState&>(*found->second);
    out.push_back({item.key() + ".exp_avg", TensorKind::optimizer, adam.exp_avg()});
    out.push_back({item.key() + ".exp_avg_sq", TensorKind::optimizer, adam.exp_avg_sq()});
  }
  return out;
}

StepRecord make_step_record(int step, const Batch& batch, const at::Tensor& loss,
                            const std::vector<NamedTensor>& tensors) {
  assert(loss.dim() == 0 && loss.scalar_type() == at::kFloat);
  StepRecord record;
  record.step = step;
  const float value = loss.item<float>();
  char bits[9];
  std::snprintf(bits, sizeof bits, "%08x", std::bit_cast<std::uint32_t>(value));
  record.loss_dtype = "float32";
  record.loss_bits = bits;
  record.loss_value = static_cast<double>(value);
  record.batch_ids = batch.ids;
  record.tensors.reserve(tensors.size());
  for (const auto& named : tensors) {
    record.tensors.push_back(
        {named.name, named.kind, digest_of(named.tensor), has_non_finite(named.tensor)});
  }
  record.root = compute_root(record);
  return record;
}

TensorDump make_tensor_dump(int step, const std::vector<NamedTensor>& tensors) {
  TensorDump dump;
  dump.step = step;
  for (const auto& named : tensors) {
    const at::Tensor t = contiguous_cpu(named.tensor);
    DumpedTensor out;
    out.name = named.name;
    out.kind = named.kind;
    out.dtype = trace_dtype(t);
    out.shape.assign(t.sizes().begin(), t.sizes().end());
    const auto bytes = bytes_of(t);
    out.bytes.assign(bytes.begin(), bytes.end());
    dump.tensors.push_back(std::move(out));
  }
  return dump;
}

}  // namespace repro
