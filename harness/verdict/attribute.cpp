// Attribution of divergences to axis value changes, interactions and special verdicts.
#include "harness/verdict/attribute.hpp"

#include "harness/verdict/remedy.hpp"

#include <algorithm>

namespace repro {
namespace {

struct Compared {
  const CellOutcome* outcome;
  std::vector<std::string> axes;  // changed from the baseline
  bool breaks() const { return !outcome->comparison->identical; }
  const std::optional<FirstDivergence>& divergence() const {
    return outcome->comparison->first_divergence;
  }
};

std::string value_of(const Settings& settings, const std::string& axis) {
  auto it = settings.find(axis);
  return it == settings.end() ? std::string() : it->second;
}

// "blas reference→atlas + threads 1→2"
std::string changes_text(const Settings& from, const Settings& to,
                         const std::vector<std::string>& axes) {
  std::string out;
  for (const auto& axis : axes) {
    if (!out.empty()) {
      out += " + ";
    }
    out += axis + " " + value_of(from, axis) + "→" + value_of(to, axis);
  }
  return out;
}

// `part` changes a proper subset of the axes `whole` changes, to the same values.
bool is_proper_part(const Compared& part, const Compared& whole) {
  if (part.axes.size() >= whole.axes.size()) {
    return false;
  }
  for (const auto& axis : part.axes) {
    if (!std::binary_search(whole.axes.begin(), whole.axes.end(), axis) ||
        value_of(part.outcome->cell.settings, axis) !=
            value_of(whole.outcome->cell.settings, axis)) {
      return false;
    }
  }
  return true;
}

bool same_result(const Compared& a, const Compared& b) {
  if (a.breaks() != b.breaks()) {
    return false;
  }
  return !a.breaks() || a.divergence()->same_place(*b.divergence());
}

// Examines one multi-axis cell against its parts (cells changing a subset of its
// axes) and the interactions already reported for smaller combinations.
std::optional<Interaction> examine(const Cell& baseline, const Compared& whole,
                                   const std::vector<Compared>& compared,
                                   const std::vector<const Compared*>& reported) {
  std::vector<const Compared*> parts;
  size_t singles = 0;
  for (const auto& c : compared) {
    if (is_proper_part(c, whole)) {
      parts.push_back(&c);
      singles += c.axes.size() == 1 ? 1 : 0;
    }
  }
  if (singles != whole.axes.size()) {
    return std::nullopt;  // a single-axis change did not run: nothing can be said
  }
  for (const Compared* r : reported) {
    if (is_proper_part(*r, whole) && same_result(*r, whole)) {
      return std::nullopt;  // a smaller combination already shows this
    }
  }
  std::vector<const Compared*> breaking_singles;
  for (const Compared* p : parts) {
    if (p->axes.size() == 1 && p->breaks()) {
      breaking_singles.push_back(p);
    }
  }
  const Settings& from = baseline.settings;
  auto alone = [&]() {
    std::string out;
    for (const Compared* p : breaking_singles) {
      out += (out.empty() ? "" : "; ") + changes_text(from, p->outcome->cell.settings, p->axes) +
             " alone breaks " + describe(*p->divergence());
    }
    return out;
  };
  Interaction in;
  in.cell_id = whole.outcome->cell.id;
  in.axes = whole.axes;
  for (const auto& axis : whole.axes) {
    in.from[axis] = value_of(from, axis);
    in.to[axis] = value_of(whole.outcome->cell.settings, axis);
  }
  in.breaks = whole.breaks();
  if (whole.breaks()) {
    for (const Compared* p : parts) {
      if (p->breaks() && p->divergence()->same_place(*whole.divergence())) {
        return std::nullopt;  // explained by a part that breaks at the same place
      }
    }
    in.first_divergence = whole.divergence();
    in.explanation = breaking_singles.empty()
                         ? "each change alone is invariant"
                         : "no part of it breaks at that place (" + alone() + ")";
    return in;
  }
  if (breaking_singles.empty()) {
    return std::nullopt;
  }
  in.explanation = "bit-identical to the baseline although " + alone();
  return in;
}

}  // namespace

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::critical:
      return "critical";
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "info";
  }
  return "info";
}

std::vector<std::string> changed_axes(const Settings& from, const Settings& to) {
  std::vector<std::string> out;
  for (const auto& [axis, value] : from) {
    auto it = to.find(axis);
    if (it == to.end() || it->second != value) {
      out.push_back(axis);
    }
  }
  for (const auto& [axis, value] : to) {
    if (from.find(axis) == from.end()) {
      out.push_back(axis);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string AxisAttribution::summary() const {
  std::string change = axis + " " + from + "→" + to;
  if (!breaks) {
    return change + " is invariant";
  }
  return change + " breaks bit-equality " + describe(*first_divergence);
}

std::string AxisAttribution::culprit_line() const {
  return breaks && !remedy.empty() ? summary() + " → " + remedy : summary();
}

std::string Interaction::summary() const {
  std::string out = changes_text(from, to, axes);
  if (breaks) {
    return out + " breaks bit-equality " + describe(*first_divergence) + ": " + explanation;
  }
  return out + " is " + explanation;
}

Attribution attribute(const Cell& baseline, const std::vector<CellOutcome>& outcomes,
                      const std::vector<std::string>& invariant_axes) {
  Attribution out;
  std::vector<Compared> compared;
  for (const auto& o : outcomes) {
    if (o.status != RunStatus::ran || !o.comparison) {
      continue;
    }
    std::vector<std::string> axes = changed_axes(baseline.settings, o.cell.settings);
    if (o.cell.role != CellRole::repeat && !axes.empty()) {
      compared.push_back({&o, std::move(axes)});
      continue;
    }
    // The repeat (or any cell with the baseline's settings): must be identical.
    if (o.comparison->identical) {
      out.repeatable = out.repeatable.value_or(true);
    } else if (out.repeatable != false) {
      out.repeatable = false;
      out.repeat_divergence = o.comparison->first_divergence;
    }
  }
  if (out.repeatable == false) {
    std::string message =
        "not reproducible under identical settings: the repeat differs from the baseline " +
        describe(*out.repeat_divergence) + " → " + remedy_for_repeat("");
    out.findings.push_back({"not_reproducible", Severity::critical, message});
    out.summary_lines.push_back(message);
  }

  for (const auto& c : compared) {
    if (c.axes.size() != 1) {
      continue;
    }
    AxisAttribution a;
    a.axis = c.axes.front();
    a.from = value_of(baseline.settings, a.axis);
    a.to = value_of(c.outcome->cell.settings, a.axis);
    a.cell_id = c.outcome->cell.id;
    a.breaks = c.breaks();
    a.must_hold =
        std::find(invariant_axes.begin(), invariant_axes.end(), a.axis) != invariant_axes.end();
    if (a.breaks) {
      a.first_divergence = c.divergence();
      // A seed is meant to change the bits: nothing to remedy.
      a.remedy = a.axis == "seed" ? "" : remedy_for_axis(a.axis);
    }
    out.axes.push_back(std::move(a));
  }

  // Smaller combinations first, so a larger one can be recognised as already shown.
  std::vector<const Compared*> multi;
  for (const auto& c : compared) {
    if (c.axes.size() > 1) {
      multi.push_back(&c);
    }
  }
  std::stable_sort(multi.begin(), multi.end(), [](const Compared* a, const Compared* b) {
    return a->axes.size() < b->axes.size();
  });
  std::vector<const Compared*> reported;
  for (const Compared* c : multi) {
    if (auto in = examine(baseline, *c, compared, reported)) {
      out.interactions.push_back(std::move(*in));
      reported.push_back(c);
    }
  }

  for (bool must_hold : {true, false}) {
    for (const auto& a : out.axes) {
      if (a.breaks && a.must_hold == must_hold) {
        out.summary_lines.push_back(a.summary() + (must_hold ? " (declared invariant)" : "") +
                                    (a.remedy.empty() ? "" : " → " + a.remedy));
      }
    }
  }
  for (const auto& in : out.interactions) {
    out.summary_lines.push_back(in.summary());
  }
  std::string invariant;
  for (const auto& a : out.axes) {
    if (!a.breaks) {
      invariant += (invariant.empty() ? "" : ", ") + a.axis + " " + a.from + "→" + a.to;
    }
  }
  if (!invariant.empty()) {
    out.summary_lines.push_back("invariant: " + invariant);
  }

  std::string seed_changes;
  bool seed_breaks = false;
  for (const auto& a : out.axes) {
    if (a.axis == "seed") {
      seed_changes += (seed_changes.empty() ? "" : ", ") + a.from + "→" + a.to;
      seed_breaks = seed_breaks || a.breaks;
    }
  }
  if (!seed_changes.empty() && !seed_breaks) {
    std::string message = "seed has no effect: changing seed " + seed_changes +
                          " left every tensor bit-identical (does the seed reach the training?)";
    out.findings.push_back({"seed_no_effect", Severity::warning, message});
    out.summary_lines.push_back(message);
  }
  return out;
}

void PrintTo(const AxisAttribution& entry, std::ostream* os) {
  *os << entry.summary();
}

void PrintTo(const Finding& finding, std::ostream* os) {
  *os << to_string(finding.severity) << " " << finding.code << ": " << finding.message;
}

}  // namespace repro
