// Attribution: which setting (axis value change) broke bit-equality, and where.
//
// Works on the cells' settings alone, so one code path serves both designs: a cell
// that differs from the baseline in one axis yields an AxisAttribution (every ofat
// variant, and the single-axis cells of a full design); a cell that changes several
// axes is examined for an Interaction (full designs).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/verdict/compare.hpp"

namespace repro {

// One cell and how it compares with the baseline.
struct CellOutcome {
  Cell cell;
  RunStatus status = RunStatus::ran;
  std::optional<Comparison> comparison;  // set when this cell and the baseline both ran
};

// One axis value change from the baseline, measured on the cell that made only it.
struct AxisAttribution {
  std::string axis;
  std::string from;  // the baseline's value
  std::string to;
  std::string cell_id;
  bool breaks = false;                              // the cell is not bit-identical to the baseline
  bool must_hold = false;                           // the suite declares this axis invariant
  std::optional<FirstDivergence> first_divergence;  // set exactly when breaks
  std::string remedy;  // when breaks: what to do (remedy.hpp); "" for seed

  // "threads 1→2 breaks bit-equality at step 0 in enc1.conv1.weight.grad (max |Δ|
  // 3.0e-09, 2 ULP)", or "threads 1→2 is invariant".
  std::string summary() const;
  // summary() followed by " → <remedy>" when it breaks and has a remedy.
  std::string culprit_line() const;
};

// A combination of axis changes whose result its parts do not explain: it breaks
// although every single-axis change in it is invariant, it breaks at another place
// than any of its parts, or it is identical although a part alone breaks.
struct Interaction {
  std::string cell_id;
  std::vector<std::string> axes;  // the changed axes, in name order
  Settings from;                  // baseline values of those axes
  Settings to;                    // this cell's values of those axes
  bool breaks = false;
  std::optional<FirstDivergence> first_divergence;  // set exactly when breaks
  std::string explanation;                          // "each change alone is invariant", ...

  // "blas reference→atlas + threads 1→2 breaks bit-equality at step 0 in x, although
  // each change alone is invariant".
  std::string summary() const;
};

enum class Severity { critical, error, warning, info };
// "critical", "error", "warning", "info".
std::string_view to_string(Severity severity);

// A special verdict for people and tools: code is stable ("not_reproducible",
// "seed_no_effect", ...), message is a sentence.
struct Finding {
  std::string code;
  Severity severity = Severity::info;
  std::string message;
  friend bool operator==(const Finding&, const Finding&) = default;
};

struct Attribution {
  std::vector<AxisAttribution> axes;  // in the order of the outcomes given
  std::vector<Interaction> interactions;
  // The repeat vs the baseline: true identical, false differs, nullopt no repeat ran.
  std::optional<bool> repeatable;
  std::optional<FirstDivergence> repeat_divergence;
  // "not_reproducible" (critical) and "seed_no_effect" (warning).
  std::vector<Finding> findings;
  // Culprit lines, most serious first: the repeat, breaking axes (declared-invariant
  // ones first), interactions, then one line listing the invariant changes.
  std::vector<std::string> summary_lines;
};

// Attributes divergences to settings. `baseline` is the baseline cell; `outcomes`
// holds every other cell (repeats included) with its comparison to the baseline;
// cells that did not run, or were not compared, take no part (they show up in the
// report's cell table with their own verdict). `invariant_axes` marks must_hold.
Attribution attribute(const Cell& baseline, const std::vector<CellOutcome>& outcomes,
                      const std::vector<std::string>& invariant_axes);

// The axes whose values differ between two settings (an axis present on one side
// only counts, with "" as the missing value), in name order.
std::vector<std::string> changed_axes(const Settings& from, const Settings& to);

// GoogleTest printers.
void PrintTo(const AxisAttribution& entry, std::ostream* os);
void PrintTo(const Finding& finding, std::ostream* os);

}  // namespace repro
