// LibraryVersions: what changing the worker environment (another libtorch) did, for people.
#pragma once

#include <string>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/trace.hpp"

namespace repro {

// The libtorch version a trace's header fingerprint names; "unknown" when absent.
std::string trace_libtorch_version(const Trace& trace);

// One line per cell whose `worker` setting differs from the baseline's and that ran:
// "worker default → debian13 (libtorch 1.13.0 → 2.6.0): differs at step 1 in loss_bits
// (...); loss non-finite from step 1 ...", or "... : bit-identical (4 steps)". Empty when
// the baseline did not run or no cell changes the worker.
std::vector<std::string> library_version_lines(const std::vector<CellRun>& runs);

}  // namespace repro
