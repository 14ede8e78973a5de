// DumpProvider: gets the raw tensor values of a cell at one step (for magnitudes).
#pragma once

#include <optional>
#include <string>

#include "harness/plan/cell.hpp"
#include "harness/trace/tensor_dump.hpp"

namespace repro {

// Implemented by the runner (it re-runs the cell's worker with --dump-step) and by
// test fakes. Comparison asks for the baseline's and the diverged cell's dump at
// the first divergent step and measures max |diff| and ULP from them.
class DumpProvider {
 public:
  virtual ~DumpProvider() = default;
  // Every tensor of `cell` at `step`; nullopt with `*error` set when it cannot.
  virtual std::optional<TensorDump> dump(const Cell& cell, int step, std::string* error) = 0;
};

}  // namespace repro
