// JSON for the diagnosis of a divergence: its summary and its first divergent op.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "harness/verdict/divergence_summary.hpp"
#include "harness/verdict/op_localization.hpp"

namespace repro {

// cells[].divergence_summary: {"step", "starts_in", "start_module", "text", "kinds":
// [{"kind","total","differing","modules","first","max_abs_diff","max_ulp"}]}; null when
// absent.
nlohmann::ordered_json divergence_summary_to_json(const std::optional<DivergenceSummary>& s);

// cells[].first_divergent_op: {"status","step","lane","index","op","module","pass",
// "inputs","outputs","output","max_abs_diff","max_ulp","magnitude_note","text","seconds"};
// null when absent.
nlohmann::ordered_json op_localization_to_json(const std::optional<OpLocalization>& l);

}  // namespace repro
