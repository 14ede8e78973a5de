// Strict parsing of untrusted JSON text: every parser failure becomes repro::Error.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace repro {

// Deepest nesting of objects and arrays accepted in any file we read.
inline constexpr int k_max_json_depth = 64;

// Parses `text` as one JSON document. Throws repro::Error(file, field, ...) on a syntax
// error (naming the byte offset), a number out of range (1e400), any other parser
// exception, a duplicate key in an object (nlohmann would keep the last one silently,
// which lets a doctored file hide a value; `field` names the key's dotted path), or
// nesting deeper than k_max_json_depth. Never lets a nlohmann exception escape.
nlohmann::json parse_json_strict(std::string_view text, const std::string& file);
nlohmann::ordered_json parse_ordered_json_strict(std::string_view text, const std::string& file);

// The text of a nlohmann exception without its "[json.exception.x.y] " prefix.
std::string json_exception_text(const nlohmann::json::exception& e);

}  // namespace repro
