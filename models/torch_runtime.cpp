// Applying thread and determinism settings; CUDA availability.
#include "models/torch_runtime.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <torch/cuda.h>

namespace repro {

void apply_torch_settings(const RunSettings& settings) {
  at::set_num_interop_threads(settings.interop_threads);
  at::set_num_threads(settings.threads);
  at::globalContext().setDeterministicAlgorithms(settings.deterministic, /*warn_only=*/false);
}

std::string cuda_unavailable_reason() {
  if (!at::hasCUDA()) {
    return "libtorch built without CUDA";
  }
  if (!torch::cuda::is_available()) {
    return "no CUDA device";
  }
  return "";
}

std::string device_unavailable_reason(const std::string& device) {
  return device == "gpu" ? cuda_unavailable_reason() : "";
}

bool set_blas_threads(int threads) {
  // Looked up in the global scope: these are the libraries libtorch's BLAS calls reach.
  using SetThreadsFn = void (*)(int);
  bool found = false;
  if (auto openblas =
          reinterpret_cast<SetThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    openblas(threads);
    found = true;
  }
  using BlisSetThreadsFn = void (*)(long);
  if (auto blis =
          reinterpret_cast<BlisSetThreadsFn>(dlsym(RTLD_DEFAULT, "bli_thread_set_num_threads"))) {
    blis(threads);
    found = true;
  }
  return found;
}

c10::Device torch_device(const std::string& device) {
  return device == "gpu" ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
}

}  // namespace repro
