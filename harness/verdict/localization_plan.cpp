// Diagnosis lines: divergence summaries and first divergent ops placed under their culprit.
#include "harness/verdict/localization_plan.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "harness/verdict/remedy.hpp"

namespace repro {
namespace {

// The position right after the culprit line of `cell` (its axis change, or the repeat's
// not-reproducible line) and the lines already inserted below it; end() when none.
std::vector<std::string>::iterator after_culprit(std::vector<std::string>& lines,
                                                 const std::string& head) {
  auto it = std::find_if(lines.begin(), lines.end(),
                         [&](const std::string& line) { return line.rfind(head, 0) == 0; });
  if (it == lines.end()) {
    return it;
  }
  ++it;
  while (it != lines.end() && it->rfind("  ", 0) == 0) {
    ++it;
  }
  return it;
}

std::string culprit_head(const Cell& baseline, const Cell& cell) {
  if (cell.role == CellRole::repeat) {
    return "not reproducible under identical settings";
  }
  const std::vector<std::string> axes = changed_axes(baseline.settings, cell.settings);
  if (axes.size() != 1) {
    return "\x01";  // interactions: lines go at the end
  }
  auto from = baseline.settings.find(axes.front());
  auto to = cell.settings.find(axes.front());
  return axes.front() + " " + (from == baseline.settings.end() ? "" : from->second) + "→" +
         (to == cell.settings.end() ? "" : to->second) + " breaks";
}

void insert_line(std::vector<std::string>& lines, const std::string& head,
                 const std::string& line) {
  auto at = after_culprit(lines, head);
  lines.insert(at, "  " + line);
}

void count_repeats(Attribution& attribution, RunReport& r) {
  r.repeats_compared = 0;
  r.repeats_identical = 0;
  for (const auto& c : r.cells) {
    if (c.role == CellRole::repeat &&
        (c.verdict == CellVerdict::identical || c.verdict == CellVerdict::diverged)) {
      ++r.repeats_compared;
      r.repeats_identical += c.verdict == CellVerdict::identical ? 1 : 0;
    }
  }
  if (r.repeats_compared > 1 || r.repeats_identical < r.repeats_compared) {
    attribution.summary_lines.push_back("repeats: " + std::to_string(r.repeats_identical) + " of " +
                                        std::to_string(r.repeats_compared) +
                                        " bit-identical to the baseline");
  }
}

// A repeat localized to an op gets that op's remedy instead of the generic one.
void use_op_remedy(Attribution& attribution, const std::string& head, const std::string& op) {
  const std::string generic = " → " + remedy_for_repeat("");
  for (auto& line : attribution.summary_lines) {
    if (line.rfind(head, 0) == 0 && line.ends_with(generic)) {
      line.resize(line.size() - generic.size());
      line += " → " + remedy_for_repeat(op);
    }
  }
}

}  // namespace

void restate_diagnosis(const CellReport& baseline, Attribution& attribution, RunReport& r) {
  count_repeats(attribution, r);
  const Cell base{baseline.id, baseline.settings, baseline.role, ""};
  for (const auto& c : r.cells) {
    if (c.verdict != CellVerdict::diverged || c.role == CellRole::baseline || !c.first_divergence) {
      continue;
    }
    const std::string head = culprit_head(base, Cell{c.id, c.settings, c.role, ""});
    const std::string label = r.label(c);
    if (c.divergence_summary) {
      insert_line(attribution.summary_lines, head,
                  label + " at step " + std::to_string(c.divergence_summary->step) + ": " +
                      c.divergence_summary->describe());
    }
    if (c.first_divergent_op) {
      insert_line(attribution.summary_lines, head, label + ": " + c.first_divergent_op->describe());
      if (c.role == CellRole::repeat && c.first_divergent_op->status == "op") {
        use_op_remedy(attribution, head, c.first_divergent_op->op);
      }
    }
  }
}

void add_diagnosis(const CellRun& baseline, const std::vector<CellRun>& runs,
                   OpTraceProvider* op_traces, double budget_seconds, Attribution& attribution,
                   RunReport& r) {
  count_repeats(attribution, r);
  std::set<std::string> localized;
  for (size_t i = 0; i < r.cells.size() && i < runs.size(); ++i) {
    CellReport& c = r.cells[i];
    if (c.verdict != CellVerdict::diverged || c.role == CellRole::baseline || !c.first_divergence) {
      continue;
    }
    const std::string head = culprit_head(baseline.cell, runs[i].cell);
    const std::string label = r.label(c);
    if (c.divergence_summary) {
      insert_line(attribution.summary_lines, head,
                  label + " at step " + std::to_string(c.divergence_summary->step) + ": " +
                      c.divergence_summary->describe());
    }
    if (op_traces == nullptr) {
      continue;
    }
    const std::vector<std::string> axes =
        changed_axes(baseline.cell.settings, runs[i].cell.settings);
    const bool new_data = std::find(axes.begin(), axes.end(), "seed") != axes.end();
    const FirstDivergence& fd = *c.first_divergence;
    const std::string key = c.role == CellRole::repeat ? "#repeat" : head;
    if (new_data || fd.tensor.empty() || fd.tensor == "root" || !localized.insert(key).second) {
      continue;
    }
    const size_t steps = baseline.trace ? baseline.trace->steps.size() : 0;
    const double estimate = steps == 0
                                ? 0
                                : k_localize_cost_factor * baseline.wall_seconds *
                                      static_cast<double>(fd.step + 1) / static_cast<double>(steps);
    if (budget_seconds >= 0 && estimate > budget_seconds) {
      // Kept in the cell (JSON first_divergent_op.status "not_localized") so that a merged
      // or re-rendered report says it too.
      OpLocalization skipped;
      skipped.status = "not_localized";
      skipped.step = fd.step;
      skipped.seconds = estimate;
      insert_line(attribution.summary_lines, head, label + ": " + skipped.describe());
      c.first_divergent_op = std::move(skipped);
      continue;
    }
    OpLocalization loc = localize(*op_traces, baseline.cell, runs[i].cell, fd.step);
    insert_line(attribution.summary_lines, head, label + ": " + loc.describe());
    if (c.role == CellRole::repeat && loc.status == "op") {
      use_op_remedy(attribution, head, loc.op);
    }
    c.first_divergent_op = std::move(loc);
  }
}

}  // namespace repro
