// Culprit: the one line that leads every report (terminal verdict line, JSON, JUnit, Markdown).
#pragma once

#include <string>

#include "harness/verdict/attribute.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

// The headline of `report` once its cells' failures, golden checks and findings are set.
// A failing run leads with its first cause, in this order: the repeat differs; a golden
// mismatch (the baseline's first, naming cell, step, tensor, loss, what changed and the
// command to accept it); a declared-invariant axis that broke; a cell that must have a
// golden and has none; the baseline failing; infrastructure. An axis that may change bits
// is never the headline of a failure. A passing run's culprit is the first axis (not seed)
// or interaction that changed bits, as a fact; "" when none did.
std::string pick_culprit(const Attribution& attribution, const RunReport& report, bool failing);

// The headline of a golden mismatch of `cell` ("golden mismatch: baseline
// (device=cpu,seed=1) differs from its golden ..."), from its golden_check.
std::string golden_mismatch_headline(const RunReport& report, const CellReport& cell);

}  // namespace repro
