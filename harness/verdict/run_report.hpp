// RunReport: everything one `repro-check run` concluded; every reporter renders it.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/plan/plan_identity.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/trace/predictions.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/verdict/attribute.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/divergence_summary.hpp"
#include "harness/verdict/golden_store.hpp"
#include "harness/verdict/op_localization.hpp"

namespace repro {

inline constexpr int k_run_report_format_version = 1;

// A cell's verdict (contract: the JSON report's cells[].verdict).
enum class CellVerdict {
  identical,  // bit-identical to the baseline (the baseline itself too)
  diverged,   // ran, differs from the baseline: see first_divergence
  skipped,    // could not run here (no CUDA...), or ran but had no baseline to compare with
  crashed,    // the worker failed or left no complete trace
  timeout,    // the worker was killed after the time limit
  not_run,    // "not run": the run was interrupted before this cell finished
};
// The run's verdict word (contract: the JSON report's and the history's `verdict`):
// "interrupted" when interrupted_by is set, else "pass" or "fail".
struct RunReport;
std::string_view verdict_word(const RunReport& report);

// "identical", "diverged", ... (the JSON report's words); PrintTo for GoogleTest.
std::string_view to_string(CellVerdict verdict);
void PrintTo(CellVerdict verdict, std::ostream* os);

struct CellReport {
  std::string id;
  Settings settings;
  CellRole role = CellRole::variant;
  CellVerdict verdict = CellVerdict::crashed;
  std::string reason;                  // skip or crash reason, or what the verdict rests on
  std::optional<double> step_time_ms;  // median per step, when known
  double wall_seconds = 0;             // the worker's wall time, 0 when unknown
  std::optional<FirstDivergence> first_divergence;  // vs the baseline, when diverged
  // Everything that differs at the first divergent step, grouped (when diverged).
  std::optional<DivergenceSummary> divergence_summary;
  // The first divergent op, when this cell's divergence was localized (--localize).
  std::optional<OpLocalization> first_divergent_op;
  // vs the golden of this environment class; nullopt when the cell did not run.
  std::optional<GoldenStatus> golden;
  std::optional<FirstDivergence> golden_divergence;  // when golden == mismatch
  // The details behind `golden` (its class, cross-class evidence, what changed, the
  // command to accept it); set exactly when `golden` is.
  std::optional<GoldenCellCheck> golden_check;
  // This cell's digests as a golden cell (bless --from-report reads them back from the
  // JSON report); set for every cell but the repeat that ran with a complete trace.
  std::optional<GoldenCandidate> golden_candidate;
  // Why this cell fails the run (repeat differs, declared-invariant axis broke, golden
  // mismatch, golden required but missing); empty when it does not.
  std::vector<std::string> failures;
  // What the training did (attach_cell_metrics, harness/report/cell_metrics.hpp): the
  // loss of each step, and the validation metrics (loss, mean_iou, mean_f1,
  // pixel_accuracy); empty when the cell did not run or did not evaluate.
  std::vector<double> loss_by_step;
  std::map<std::string, double> eval;
  // The predicted classes of a few validation images (and, for the baseline only, their
  // pictures), when the worker wrote them; and for other cells how they differ from the
  // baseline's (pixels compared, pixels with another class).
  std::optional<Predictions> predictions;
  std::optional<PredictionChange> prediction_change;
};

struct RunReport {
  std::string suite;
  std::string design;  // "ofat" or "full"
  bool pass = true;    // exit_code is 0 (or 77: nothing could run, nothing failed)
  int exit_code = k_exit_ok;
  Fingerprint fingerprint;
  std::string environment_class;
  std::vector<CellReport> cells;   // in run order
  std::optional<bool> repeatable;  // nullopt when no repeat was compared
  int repeats_compared = 0;        // repeat cells compared with the baseline (--repeats)
  int repeats_identical = 0;       // of those, bit-identical to it
  std::vector<AxisAttribution> attribution;
  std::vector<Interaction> interactions;
  // Golden: where this class's golden is (or would be), whether it exists, notes
  // (the bless command to run, other classes' fingerprint differences).
  bool golden_found = false;  // at least one cell was compared with a golden of its class
  std::string golden_path;    // the baseline's class file
  std::vector<std::string> golden_notes;
  std::vector<Finding> findings;     // special verdicts, most serious first
  std::vector<std::string> summary;  // culprit lines and the rest, for people
  // The one most important line (culprit.hpp): for a failing run its first cause (the
  // repeat differing, a golden mismatch, a declared-invariant axis, a required golden
  // missing, infrastructure), never an axis that may change bits; for a passing run the
  // first axis that changed bits (not seed), as a fact; "" when nothing did.
  std::string culprit;
  // The run was stopped by SIGINT/SIGTERM ("SIGINT"); "" when it ran to the end. The
  // cells that finished are compared as usual; the others are `not_run`.
  std::string interrupted_by;
  // The plan this report ran (its hash, shard and cell order), for `repro-check merge`;
  // nullopt for reports made without one (tests, reports read from old JSON).
  std::optional<PlanIdentity> plan;

  // A short name for a cell in tables: "baseline", "repeat", or the settings that
  // differ from the baseline ("threads=2", "blas=atlas threads=2"); the id otherwise.
  std::string label(const CellReport& cell) const;
  // The cell with `id`; nullptr when there is none.
  const CellReport* find(std::string_view id) const;
  // Number of cells with `verdict`.
  int count(CellVerdict verdict) const;
  // Number of cells with golden status `status`.
  int count(GoldenStatus status) const;
  // Number of cells compared with a golden of their own class (match + mismatch).
  int golden_compared() const;
};

}  // namespace repro
