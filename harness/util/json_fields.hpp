// Typed, validated access to JSON fields with errors that name the file and field.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace repro {

// Where a JSON value came from, for error messages: "suites/pr.json", "train.steps".
struct JsonPath {
  std::string file;
  std::string field;  // dotted path inside the document; empty for the root

  JsonPath child(std::string_view key) const;
  JsonPath index(size_t i) const;
};

// Each accessor throws repro::Error(file, field, ...) when the field is missing or
// has the wrong type. The *_or variants return `fallback` when the field is absent
// (but still reject a present field of the wrong type).
const nlohmann::json& require_object(const nlohmann::json& j, const JsonPath& at);
const nlohmann::json& require_array(const nlohmann::json& j, const JsonPath& at);
const nlohmann::json& require_field(const nlohmann::json& obj, std::string_view key,
                                    const JsonPath& at);
std::string get_string(const nlohmann::json& obj, std::string_view key, const JsonPath& at);
std::string get_string_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                          std::string fallback);
std::int64_t get_int(const nlohmann::json& obj, std::string_view key, const JsonPath& at);
std::int64_t get_int_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                        std::int64_t fallback);
// An integer in [min, max]; anything else names the range.
std::int64_t get_int_in(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                        std::int64_t min, std::int64_t max);
double get_number(const nlohmann::json& obj, std::string_view key, const JsonPath& at);
double get_number_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                     double fallback);
bool get_bool_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                 bool fallback);

// The array of strings at `key` (required); Error naming the element that is not a string.
std::vector<std::string> get_string_list(const nlohmann::json& obj, std::string_view key,
                                         const JsonPath& at);

// Rejects any key of `obj` not in `known`: "unknown field (known: a, b, c)", naming it.
void reject_unknown_keys(const nlohmann::json& obj, const JsonPath& at,
                         const std::set<std::string>& known);

// Parses JSON text strictly (parse_json_strict): a syntax error, an out-of-range number, a
// duplicate key or too deep nesting becomes repro::Error naming the file.
nlohmann::json parse_json(std::string_view text, const std::string& file);

// Checks "format_version": names "too old" and "too new" separately (ninja's build log).
void check_format_version(const nlohmann::json& obj, const JsonPath& at, int min_supported,
                          int current, std::string_view what);

}  // namespace repro
