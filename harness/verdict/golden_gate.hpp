// GoldenGate: what a run's golden comparisons add up to, and the gates built on them.
//
// Never a silent pass: every run says how many cells were compared with a golden of
// their own class; --require-golden[=portable] fails cells without one, and
// --skip-without-golden (what `ctest -L repro` uses) turns a passing run that compared
// no golden at all into exit 77 (ctest: skipped) with the reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/verdict/run_report.hpp"

namespace repro {

// Which cells must have a golden of their own class.
enum class GoldenRequirement {
  none,      // none: a missing golden is reported, not failed
  all,       // every cell that ran (--require-golden)
  portable,  // cells whose class names no CPU or GPU model (--require-golden=portable)
};

// "none"/"all"/"portable" and back; throws repro::Error(option, "", ...) for other text.
GoldenRequirement golden_requirement_from_string(const std::string& text,
                                                 const std::string& option);

// "none", "all" or "portable": the text golden_requirement_from_string reads back.
std::string_view to_string(GoldenRequirement require);

// The report's golden notes, derived from its cells alone (so a merged report's notes
// equal an unsharded run's): "no golden directory" when cells ran without a golden
// lookup, and how many cells have no golden of their own class with the bless command
// (with `bless_arguments`, the run's --axis/--design overrides).
std::vector<std::string> golden_notes_for(const RunReport& report,
                                          const std::vector<std::string>& bless_arguments = {});

// The run's golden lines for people: counts per class compared, the cells without a
// golden of their class with their cross-class evidence, and "no golden compared" when
// none was.
std::vector<std::string> golden_summary_lines(const RunReport& report);

struct GoldenGateOptions {
  GoldenRequirement require = GoldenRequirement::none;
  bool skip_without_golden = false;
};

// Applies the gates to a checked report: adds a failure to each cell the requirement
// covers that has no golden of its class (exit 1, culprit when the run was passing), and
// with skip_without_golden turns exit 0 with no golden compared into exit 77 with the
// reason as culprit and finding "golden_none_compared". `all` is normally applied by
// check_runs already (CheckInput::require_golden); applying it again adds nothing.
void apply_golden_gate(RunReport& report, const GoldenGateOptions& options);

}  // namespace repro
