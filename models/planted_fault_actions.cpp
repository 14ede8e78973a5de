// Planted fault actions: entropy and time seeds, one-ULP flips.
#include "models/planted_fault_actions.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>
#include <random>
#include <thread>

#include "harness/util/error.hpp"

namespace repro {

std::uint64_t entropy_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::uint64_t time_seed_then_wait_for_next_second() {
  const std::time_t now = std::time(nullptr);
  while (std::time(nullptr) == now) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return static_cast<std::uint64_t>(now);
}

void flip_one_ulp(at::Tensor& tensor) {
  if (tensor.scalar_type() != at::kFloat || tensor.numel() == 0 || !tensor.is_contiguous()) {
    throw Error("", "settings.fault", "ulp-flip needs a contiguous, non-empty float32 tensor");
  }
  torch::NoGradGuard no_grad;
  float* data = tensor.data_ptr<float>();
  std::uint32_t bits = 0;
  std::memcpy(&bits, data, sizeof bits);
  bits ^= 1U;
  std::memcpy(data, &bits, sizeof bits);
}

at::Tensor one_ulp_larger(const at::Tensor& loss) {
  const float value = loss.item<float>();
  return at::scalar_tensor(std::nextafter(value, std::numeric_limits<float>::infinity()),
                           at::kFloat);
}

}  // namespace repro
