// Trace values that JSON numbers cannot hold: NaN and ±Inf in the loss, non-finite tensors.
//
// JSON has no NaN or infinity (nlohmann writes them as null, which reads back as nothing).
// From trace format version 2 a step's loss "value" is a JSON number when finite and one of
// the strings "nan", "inf", "-inf" otherwise; the exact bits stay in "bits" either way.
// A tensor entry may carry a fourth element, "nonfinite", when any of its values is NaN or
// ±Inf (docs/trace-format.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harness/util/json_fields.hpp"

namespace repro {

// The marker a tensor entry's optional fourth element holds.
inline constexpr std::string_view k_non_finite_marker = "nonfinite";

// A finite value as a JSON number; NaN as "nan", +Inf as "inf", -Inf as "-inf".
nlohmann::ordered_json loss_value_to_json(double value);

// The inverse of loss_value_to_json. Throws repro::Error at `at` for anything else (null,
// another string, a boolean...).
double loss_value_from_json(const nlohmann::json& value, const JsonPath& at);

// Whether exact loss bits of `dtype` ("float32" 8 hex digits, "float64" 16) are NaN or ±Inf;
// nullopt when the dtype or the width is not one this knows.
std::optional<bool> loss_bits_non_finite(std::string_view dtype, std::string_view bits);

}  // namespace repro
