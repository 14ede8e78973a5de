// Trace values that JSON numbers cannot hold: NaN/±Inf as strings, the non-finite tensor marker.
#include "harness/trace/trace_value.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "harness/util/error.hpp"

namespace repro {

nlohmann::ordered_json loss_value_to_json(double value) {
  if (std::isnan(value)) {
    return "nan";
  }
  if (std::isinf(value)) {
    return value > 0 ? "inf" : "-inf";
  }
  return value;
}

double loss_value_from_json(const nlohmann::json& value, const JsonPath& at) {
  if (value.is_number()) {
    return value.get<double>();
  }
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == "nan") {
      return std::numeric_limits<double>::quiet_NaN();
    }
    if (s == "inf") {
      return std::numeric_limits<double>::infinity();
    }
    if (s == "-inf") {
      return -std::numeric_limits<double>::infinity();
    }
  }
  throw Error(at.file, at.field,
              "expected a number or one of \"nan\", \"inf\", \"-inf\", found " +
                  (value.is_string() ? "'" + value.get<std::string>() + "'"
                                     : std::string(value.type_name())));
}

std::optional<bool> loss_bits_non_finite(std::string_view dtype, std::string_view bits) {
  std::uint64_t raw = 0;
  auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), raw, 16);
  if (ec != std::errc() || end != bits.data() + bits.size()) {
    return std::nullopt;
  }
  if (dtype == "float32" && bits.size() == 8) {
    return !std::isfinite(std::bit_cast<float>(static_cast<std::uint32_t>(raw)));
  }
  if (dtype == "float64" && bits.size() == 16) {
    return !std::isfinite(std::bit_cast<double>(raw));
  }
  return std::nullopt;
}

}  // namespace repro
