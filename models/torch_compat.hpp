// Every libtorch version difference the worker knows about, in one place (1.13.x and 2.x).
//
// The worker compiles warning-free against Debian 12's libtorch 1.13.1 and Debian 13's
// 2.6.0 (docs/worker-environments.md). Code elsewhere in models/ never tests
// TORCH_VERSION_*: it calls what this header provides.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR < 2
#include <c10/util/string_utils.h>
#include <string>
#endif

namespace repro {

// True when built against libtorch 2.0 or later.
inline constexpr bool k_torch_2 = TORCH_VERSION_MAJOR >= 2;

// The key torch::optim optimizers file a parameter's state under: the address of its
// TensorImpl, as a string in libtorch 1.x, as the pointer itself (void*) from 2.0 on.
#if TORCH_VERSION_MAJOR >= 2
inline void* optimizer_state_key(const at::Tensor& param) {
  return param.unsafeGetTensorImpl();
}
#else
inline std::string optimizer_state_key(const at::Tensor& param) {
  return c10::guts::to_string(param.unsafeGetTensorImpl());
}
#endif

}  // namespace repro
