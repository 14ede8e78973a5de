// StartStagger: the baseline and its repeats start at least a minimum interval apart.
#pragma once

#include <chrono>
#include <optional>

#include "harness/plan/cell.hpp"

namespace repro {

// Cells with the baseline's settings (role baseline or repeat) must not start within
// `interval` of each other, so a time-seeded source (srand(time(0)), a timestamped path)
// sees different seconds. Other cells are never held back.
class StartStagger {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StartStagger(std::chrono::milliseconds interval = std::chrono::milliseconds(1100))
      : m_interval(interval) {}

  // Whether `cell` may start at `now`.
  bool may_start(const Cell& cell, Clock::time_point now) const;
  // Records that `cell` started at `now`.
  void started(const Cell& cell, Clock::time_point now);

 private:
  static bool staggered(const Cell& cell) {
    return cell.role == CellRole::baseline || cell.role == CellRole::repeat;
  }
  std::chrono::milliseconds m_interval;
  std::optional<Clock::time_point> m_last;
};

}  // namespace repro
