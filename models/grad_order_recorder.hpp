// GradOrderRecorder: the order in which backward produced each parameter's gradient.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace repro {

// Records, with a gradient hook on every parameter, the order in which the autograd
// engine produces the parameters' gradients (the hook fires when the gradient of that
// leaf is computed, before it is accumulated into .grad). The order is observed, never
// assumed: it is what docs/trace-format.md's `grad` section follows.
class GradOrderRecorder {
 public:
  // Hooks every tensor of `parameters` (index i = position in that list). The
  // parameters must outlive the recorder's use; the hooks stay registered.
  explicit GradOrderRecorder(const std::vector<at::Tensor>& parameters);

  // Forgets the order recorded so far (call before each backward).
  void reset();

  // Parameter indices in the order their gradients were first produced since reset();
  // a parameter whose gradient was not produced is absent. Thread-safe.
  std::vector<std::size_t> order() const;

 private:
  struct State {
    std::mutex mutex;
    std::vector<std::size_t> order;
    std::vector<bool> seen;
  };
  std::shared_ptr<State> m_state;  // shared with the hooks
};

}  // namespace repro
