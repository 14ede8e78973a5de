// JUnit XML report: one testcase per cell, for CI test-result viewers.
#pragma once

#include <ostream>

#include "harness/verdict/run_report.hpp"

namespace repro {

// Writes <testsuites><testsuite name="repro.SUITE"> with one <testcase> per cell
// (name = cell id). A cell with must-hold violations (CellReport::failures) gets a
// <failure type="determinism">; a crashed or timed-out cell an <error
// type="infrastructure">; a skipped cell <skipped>. Everything else passes, its
// verdict and first divergence in <system-out>. Well-formed XML 1.0, UTF-8.
void write_junit_report(std::ostream& out, const RunReport& report);

}  // namespace repro
