// GradOrderRecorder: gradient hooks that note which parameter's gradient came next.
#include "models/grad_order_recorder.hpp"

namespace repro {

GradOrderRecorder::GradOrderRecorder(const std::vector<at::Tensor>& parameters)
    : m_state(std::make_shared<State>()) {
  m_state->seen.assign(parameters.size(), false);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    at::Tensor parameter = parameters[i];
    std::weak_ptr<State> weak = m_state;
    parameter.register_hook([weak, i](const at::Tensor&) {
      if (auto state = weak.lock()) {
        std::lock_guard<std::mutex> lock(state->mutex);
        if (!state->seen[i]) {
          state->seen[i] = true;
          state->order.push_back(i);
        }
      }
    });
  }
}

void GradOrderRecorder::reset() {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->order.clear();
  m_state->seen.assign(m_state->seen.size(), false);
}

std::vector<std::size_t> GradOrderRecorder::order() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return m_state->order;
}

}  // namespace repro
