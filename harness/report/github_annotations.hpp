// GitHub Actions workflow commands (::error / ::warning / ::notice) for a run's outcome.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "harness/verdict/run_report.hpp"

namespace repro {

// True when running inside GitHub Actions (GITHUB_ACTIONS=true), where stdout lines that
// start with "::" become annotations on the workflow run and the pull request.
bool github_actions_enabled();

// Escapes a workflow-command message ('%', CR, LF) or, with `property`, a property value
// (also ':' and ','), as GitHub's toolkit does.
std::string github_escape(std::string_view text, bool property);

// One line per annotation, titled "repro-check SUITE: CELL" and pointing at
// suites/SUITE.json: ::error for every cell that fails the run (its failures) and every
// crashed or timed-out cell, ::warning for warning findings (a seed with no effect), and
// one ::notice naming the culprit when the run passes with a divergence on an axis that
// was allowed to change. Writes nothing for a clean run.
void write_github_annotations(std::ostream& out, const RunReport& report);

}  // namespace repro
