// Validated JSON field access (see json_fields.hpp).
#include "harness/util/json_fields.hpp"

#include <limits>

#include "harness/util/error.hpp"
#include "harness/util/json_parse.hpp"

namespace repro {
namespace {

std::string type_name(const nlohmann::json& j) {
  return j.type_name();
}

}  // namespace

JsonPath JsonPath::child(std::string_view key) const {
  return {file, field.empty() ? std::string(key) : field + "." + std::string(key)};
}

JsonPath JsonPath::index(size_t i) const {
  return {file, field + "[" + std::to_string(i) + "]"};
}

const nlohmann::json& require_object(const nlohmann::json& j, const JsonPath& at) {
  if (!j.is_object()) {
    throw Error(at.file, at.field, "expected an object, found " + type_name(j));
  }
  return j;
}

const nlohmann::json& require_array(const nlohmann::json& j, const JsonPath& at) {
  if (!j.is_array()) {
    throw Error(at.file, at.field, "expected an array, found " + type_name(j));
  }
  return j;
}

const nlohmann::json& require_field(const nlohmann::json& obj, std::string_view key,
                                    const JsonPath& at) {
  require_object(obj, at);
  auto it = obj.find(key);
  if (it == obj.end()) {
    throw Error(at.file, at.child(key).field, "missing required field");
  }
  return *it;
}

std::string get_string(const nlohmann::json& obj, std::string_view key, const JsonPath& at) {
  const auto& v = require_field(obj, key, at);
  if (!v.is_string()) {
    throw Error(at.file, at.child(key).field, "expected a string, found " + type_name(v));
  }
  return v.get<std::string>();
}

std::string get_string_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                          std::string fallback) {
  require_object(obj, at);
  if (!obj.contains(key)) {
    return fallback;
  }
  return get_string(obj, key, at);
}

std::int64_t get_int(const nlohmann::json& obj, std::string_view key, const JsonPath& at) {
  const auto& v = require_field(obj, key, at);
  if (!v.is_number_integer()) {
    throw Error(at.file, at.child(key).field, "expected an integer, found " + type_name(v));
  }
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw Error(at.file, at.child(key).field,
                "integer " + std::to_string(v.get<std::uint64_t>()) + " is out of range");
  }
  return v.get<std::int64_t>();
}

std::int64_t get_int_in(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                        std::int64_t min, std::int64_t max) {
  std::int64_t v = get_int(obj, key, at);
  if (v < min || v > max) {
    throw Error(at.file, at.child(key).field,
                std::to_string(v) + " is out of range (" + std::to_string(min) + " to " +
                    std::to_string(max) + ")");
  }
  return v;
}

std::int64_t get_int_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                        std::int64_t fallback) {
  require_object(obj, at);
  if (!obj.contains(key)) {
    return fallback;
  }
  return get_int(obj, key, at);
}

double get_number(const nlohmann::json& obj, std::string_view key, const JsonPath& at) {
  const auto& v = require_field(obj, key, at);
  if (!v.is_number()) {
    throw Error(at.file, at.child(key).field, "expected a number, found " + type_name(v));
  }
  return v.get<double>();
}

double get_number_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                     double fallback) {
  require_object(obj, at);
  if (!obj.contains(key)) {
    return fallback;
  }
  return get_number(obj, key, at);
}

std::vector<std::string> get_string_list(const nlohmann::json& obj, std::string_view key,
                                         const JsonPath& at) {
  JsonPath here = at.child(key);
  const nlohmann::json& list = require_array(require_field(obj, key, at), here);
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) {
      throw Error(here.file, here.index(i).field, "expected a string");
    }
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

bool get_bool_or(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                 bool fallback) {
  require_object(obj, at);
  if (!obj.contains(key)) {
    return fallback;
  }
  const auto& v = obj.at(key);
  if (!v.is_boolean()) {
    throw Error(at.file, at.child(key).field, "expected true or false, found " + type_name(v));
  }
  return v.get<bool>();
}

void reject_unknown_keys(const nlohmann::json& obj, const JsonPath& at,
                         const std::set<std::string>& known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!known.contains(it.key())) {
      std::string list;
      for (const auto& k : known) {
        list += (list.empty() ? "" : ", ") + k;
      }
      throw Error(at.file, at.child(it.key()).field, "unknown field (known: " + list + ")");
    }
  }
}

nlohmann::json parse_json(std::string_view text, const std::string& file) {
  return parse_json_strict(text, file);
}

void check_format_version(const nlohmann::json& obj, const JsonPath& at, int min_supported,
                          int current, std::string_view what) {
  std::int64_t v = get_int(obj, "format_version", at);
  if (v < min_supported) {
    throw Error(at.file, at.child("format_version").field,
                std::string(what) + " format " + std::to_string(v) + " is too old (oldest read: " +
                    std::to_string(min_supported) + "); regenerate it");
  }
  if (v > current) {
    throw Error(at.file, at.child("format_version").field,
                std::string(what) + " format " + std::to_string(v) + " is too new (newest read: " +
                    std::to_string(current) + "); upgrade repro-check");
  }
}

}  // namespace repro
