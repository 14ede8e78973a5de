// GoldenCellCheck: how one cell compares with the goldens, in words that name the cause.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/golden_file.hpp"

namespace repro {

// How a cell compares with its golden digests.
enum class GoldenStatus {
  match,     // bit-identical to the golden of its class
  mismatch,  // differs from the golden of its class: see first_divergence
  missing,   // no golden for its class, or none for these settings
};
// "match", "mismatch", "missing" (the JSON report's words); PrintTo for GoogleTest.
std::string_view to_string(GoldenStatus status);
void PrintTo(GoldenStatus status, std::ostream* os);

// The cell compared with another class's golden of the same settings.
struct CrossClassEvidence {
  std::string environment_class;
  std::vector<std::string> differences;  // "blas_core Cooperlake→Haswell" (golden → run)
  bool identical = false;
  std::optional<FirstDivergence> first_divergence;  // when !identical
  std::string text;  // "against class D (differs in ...): identical" / "diverged at ..."
};

struct GoldenCellCheck {
  GoldenStatus status = GoldenStatus::missing;
  std::string environment_class;  // the cell's own class
  bool portable = false;          // golden_class_portable(the cell's class)
  std::string path;               // the golden file of its class (existing or not)
  std::optional<FirstDivergence> first_divergence;  // set exactly for mismatch
  std::vector<CrossClassEvidence> cross_class;      // only for missing
  // For a mismatch: what differs from the blessing, and the loss at the divergence.
  std::vector<std::string> config_changes;       // "train.learning_rate 0.001 → 0.002"
  std::vector<std::string> fingerprint_changes;  // other fingerprint fields, blessing → run
  std::string loss_text;       // "loss at step 1: golden 0.6931 run 0.6822 (Δ -1.09e-02)"
  std::string accept_command;  // bless command for exactly this cell
  std::string detail;          // one line for people: everything above that applies
};

// The command that blesses exactly the cell with `settings`: every axis pinned to the
// cell's value, e.g. repro-check bless --suite smoke --axis device=cpu --axis seed=1
// --axis threads=1 --reason "...".
std::string bless_cell_command(const std::string& suite, const Settings& settings);

// The command that blesses a whole suite.
std::string bless_command(const std::string& suite, const std::vector<std::string>& arguments = {});

// Fills status, first_divergence, loss_text, config and fingerprint changes, the accept
// command and detail from comparing `trace` (of the cell with `settings`, run with
// `fingerprint`) with `golden`.
void check_against_golden(const std::string& suite, const Settings& settings,
                          const Fingerprint& fingerprint, const Trace& trace,
                          const GoldenCell& golden, GoldenCellCheck& check);

// The cross-class evidence of a cell whose own class has no golden: `golden` is class
// `other`'s cell with the same settings.
CrossClassEvidence cross_class_evidence(const std::string& other, const ClassFields& other_fields,
                                        const ClassFields& own_fields, const Trace& trace,
                                        const GoldenCell& golden);

}  // namespace repro
