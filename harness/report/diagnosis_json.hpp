// JSON for the diagnosis of a divergence: its summary and its first divergent op.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "harness/util/json_fields.hpp"
#include "harness/verdict/divergence_summary.hpp"
#include "harness/verdict/op_localization.hpp"

namespace repro {

// cells[].divergence_summary: {"step", "starts_in", "start_module", "text", "kinds":
// [{"kind","total","differing","modules","identical","first","max_abs_diff","max_ulp"}],
// "loss_differs", "batch_ids_differ", "measured"}; null when absent.
nlohmann::ordered_json divergence_summary_to_json(const std::optional<DivergenceSummary>& s);

// cells[].first_divergent_op: {"status","step","lane","index","op","module","pass",
// "inputs","outputs","output","other_op","max_abs_diff","max_ulp","magnitude_note","text",
// "note","seconds","ops_compared"}; null when absent.
nlohmann::ordered_json op_localization_to_json(const std::optional<OpLocalization>& l);

// The inverses, for reports read back (merge, report): `j` is the field's value at `at`;
// null gives nullopt; Error naming the field on anything malformed.
std::optional<DivergenceSummary> divergence_summary_from_json(const nlohmann::json& j,
                                                              const JsonPath& at);
std::optional<OpLocalization> op_localization_from_json(const nlohmann::json& j,
                                                        const JsonPath& at);

}  // namespace repro
