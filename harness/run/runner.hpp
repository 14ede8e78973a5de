// CellRunner: runs a list of cells and reports progress (ninja's CommandRunner seam).
//
// The real runner (process_runner.hpp) starts one worker process per cell; tests use a
// fake (tests/support/fake_runner.hpp) that records which cells it was asked to run.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "harness/plan/cell.hpp"

namespace repro {

// A snapshot after a cell started or finished.
struct RunProgress {
  size_t total = 0;
  size_t done = 0;     // finished (in any status), including skipped cells
  size_t running = 0;  // started, not finished
  size_t left() const { return total - done - running; }
  const Cell* cell = nullptr;         // the cell that just started or finished
  const CellRun* finished = nullptr;  // set when `cell` just finished: its result
};

// Called on the runner's thread after each start and each finish.
using ProgressCallback = std::function<void(const RunProgress&)>;

class CellRunner {
 public:
  virtual ~CellRunner() = default;
  // Runs every cell and returns one CellRun per cell, in the order of `cells`. A cell that
  // cannot run here, crashes or times out is a CellRun status, never an exception; throws
  // only for failures of the runner itself (e.g. its work folder cannot be written).
  virtual std::vector<CellRun> run(const std::vector<Cell>& cells,
                                   const ProgressCallback& progress) = 0;
};

}  // namespace repro
