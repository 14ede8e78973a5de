// StartStagger: spacing the starts of the baseline and its repeats.
#include "harness/run/start_stagger.hpp"

namespace repro {

bool StartStagger::may_start(const Cell& cell, Clock::time_point now) const {
  return !staggered(cell) || !m_last || now - *m_last >= m_interval;
}

void StartStagger::started(const Cell& cell, Clock::time_point now) {
  if (staggered(cell)) {
    m_last = now;
  }
}

}  // namespace repro
