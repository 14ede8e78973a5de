// Culprit: pick the headline of a run from its failures, never from an allowed divergence.
#include "harness/verdict/culprit.hpp"

namespace repro {
namespace {

const CellReport* first_golden_mismatch(const RunReport& report) {
  const CellReport* found = nullptr;
  for (const auto& c : report.cells) {
    if (c.golden == GoldenStatus::mismatch && c.golden_check) {
      if (c.role == CellRole::baseline) {
        return &c;
      }
      found = found != nullptr ? found : &c;
    }
  }
  return found;
}

std::string informational(const Attribution& attribution) {
  for (const auto& a : attribution.axes) {
    if (a.breaks && a.axis != "seed") {
      return a.culprit_line();
    }
  }
  if (!attribution.interactions.empty()) {
    return attribution.interactions.front().summary();
  }
  return "";
}

}  // namespace

std::string golden_mismatch_headline(const RunReport& report, const CellReport& cell) {
  std::string label = report.label(cell);
  std::string who = label == cell.id ? cell.id : label + " (" + cell.id + ")";
  return "golden mismatch: " + who + " " + cell.golden_check->detail;
}

std::string pick_culprit(const Attribution& attribution, const RunReport& report, bool failing) {
  if (!failing) {
    return informational(attribution);
  }
  if (attribution.repeatable == false && !attribution.summary_lines.empty()) {
    return attribution.summary_lines.front();
  }
  if (const CellReport* c = first_golden_mismatch(report)) {
    return golden_mismatch_headline(report, *c);
  }
  for (const auto& a : attribution.axes) {
    if (a.breaks && a.must_hold) {
      return a.culprit_line();
    }
  }
  for (const auto& f : report.findings) {
    if (f.code == "invariant_broken") {
      return f.message;
    }
  }
  for (const auto& c : report.cells) {
    for (const auto& failure : c.failures) {
      return report.label(c) + ": " + failure;
    }
  }
  for (const auto& f : report.findings) {
    if (f.code == "baseline_failed" || f.code == "infrastructure") {
      return f.message;
    }
  }
  return "";
}

}  // namespace repro
