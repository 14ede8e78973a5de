// GoldenGate: golden summary lines, --require-golden=portable and --skip-without-golden.
#include "harness/verdict/golden_gate.hpp"

#include <map>

#include "harness/util/error.hpp"
#include "harness/verdict/golden_check.hpp"

namespace repro {
namespace {

bool required(const CellReport& c, GoldenRequirement require) {
  if (c.golden != GoldenStatus::missing) {
    return false;
  }
  switch (require) {
    case GoldenRequirement::none:
      return false;
    case GoldenRequirement::all:
      return true;
    case GoldenRequirement::portable:
      return c.golden_check && c.golden_check->portable;
  }
  return false;
}

}  // namespace

GoldenRequirement golden_requirement_from_string(const std::string& text,
                                                 const std::string& option) {
  if (text == "none") {
    return GoldenRequirement::none;
  }
  if (text == "all" || text.empty()) {
    return GoldenRequirement::all;
  }
  if (text == "portable") {
    return GoldenRequirement::portable;
  }
  throw Error(option, "", "'" + text + "' is not one of all, portable");
}

std::string_view to_string(GoldenRequirement require) {
  switch (require) {
    case GoldenRequirement::none:
      return "none";
    case GoldenRequirement::all:
      return "all";
    case GoldenRequirement::portable:
      return "portable";
  }
  return "none";
}

std::vector<std::string> golden_notes_for(const RunReport& report,
                                          const std::vector<std::string>& bless_arguments) {
  int unchecked = 0;
  int no_class = 0;
  for (const auto& c : report.cells) {
    if (c.golden == GoldenStatus::missing) {
      (c.golden_check ? no_class : unchecked) += 1;
    }
  }
  std::vector<std::string> notes;
  if (unchecked > 0) {
    notes.push_back("no golden directory: golden digests were not checked");
  }
  if (no_class > 0) {
    notes.push_back(std::to_string(no_class) +
                    " cell(s) have no golden for their own environment class; to record "
                    "this machine's digests, run: " +
                    bless_command(report.suite, bless_arguments));
  }
  return notes;
}

std::vector<std::string> golden_summary_lines(const RunReport& report) {
  std::vector<std::string> out;
  std::map<std::string, std::pair<int, int>> per_class;  // class -> (match, mismatch)
  int ran = 0;
  for (const auto& c : report.cells) {
    if (!c.golden) {
      continue;
    }
    ++ran;
    if (c.golden_check && c.golden != GoldenStatus::missing) {
      auto& counts = per_class[c.golden_check->environment_class];
      (c.golden == GoldenStatus::match ? counts.first : counts.second) += 1;
    }
  }
  if (ran == 0) {
    return out;
  }
  int compared = report.golden_compared();
  int missing = report.count(GoldenStatus::missing);
  std::string line = "golden: " + std::to_string(report.count(GoldenStatus::match)) + " match, " +
                     std::to_string(report.count(GoldenStatus::mismatch)) + " mismatch, " +
                     std::to_string(missing) + " without a golden of their class";
  if (!per_class.empty()) {
    std::string classes;
    for (const auto& [name, counts] : per_class) {
      classes += (classes.empty() ? "" : "; ") + name + ": " + std::to_string(counts.first) +
                 " match, " + std::to_string(counts.second) + " mismatch";
    }
    line += " (" + classes + ")";
  }
  out.push_back(line);
  for (const auto& c : report.cells) {
    if (c.golden == GoldenStatus::missing && c.golden_check) {
      out.push_back("  " + report.label(c) + ": " + c.golden_check->detail);
    }
  }
  if (compared == 0) {
    out.push_back("no golden compared: none of the " + std::to_string(ran) +
                  " cells that ran has a golden of its own environment class, so this run "
                  "checked determinism between its cells only");
  }
  return out;
}

void apply_golden_gate(RunReport& report, const GoldenGateOptions& options) {
  bool was_failing = report.exit_code != k_exit_ok && report.exit_code != k_exit_nothing_ran;
  std::string first;
  for (auto& c : report.cells) {
    if (!required(c, options.require)) {
      continue;
    }
    bool already = false;
    for (const auto& f : c.failures) {
      already = already || f.rfind("--require-golden", 0) == 0;
    }
    if (already) {
      continue;
    }
    std::string failure =
        std::string("--require-golden") +
        (options.require == GoldenRequirement::portable ? "=portable (a portable class)" : "") +
        ": " + c.golden_check->detail + "; to add it: " + c.golden_check->accept_command;
    c.failures.push_back(failure);
    if (first.empty()) {
      first = report.label(c) + ": " + failure;
    }
  }
  if (!first.empty()) {
    report.findings.insert(report.findings.begin(),
                           Finding{"golden_required", Severity::error, first});
    report.exit_code = k_exit_determinism_broken;
    report.pass = false;
    if (!was_failing || report.culprit.empty()) {
      report.culprit = first;
    }
    return;
  }
  if (options.skip_without_golden && report.exit_code == k_exit_ok &&
      report.golden_compared() == 0) {
    std::string reason =
        "no golden compared: no cell has a golden of its own environment class on this "
        "machine, so the golden gate could not check anything (see the lines above for "
        "cross-class evidence; bless this machine's class to gate it)";
    report.findings.push_back({"golden_none_compared", Severity::warning, reason});
    report.exit_code = k_exit_nothing_ran;
    report.culprit = reason;
  }
}

}  // namespace repro
